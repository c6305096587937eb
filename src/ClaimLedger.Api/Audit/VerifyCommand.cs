using System.Security.Cryptography;
using System.Text.Json;
using JasperFx.CommandLine;
using ClaimLedger.Web;

namespace ClaimLedger.Audit;

public sealed class VerifyInput
{
    [Description("The NDJSON export (GET /api/export/events)")]
    [FlagAlias("export")]
    public string ExportFlag { get; set; } = "";

    [Description("A signed checkpoint as JSON (GET /api/audit/checkpoints/latest)")]
    [FlagAlias("checkpoint")]
    public string CheckpointFlag { get; set; } = "";

    [Description("The PEM public key the checkpoint was signed with (GET /api/audit/public-key)")]
    [FlagAlias("public-key")]
    public string PublicKeyFlag { get; set; } = "";
}

/// <summary>
/// <c>verify --export events.ndjson --checkpoint checkpoint.json --public-key key.pem</c>: checks an export against a
/// published checkpoint without the database. Prints the report as JSON; exits 0 when it holds, 1 when not.
/// </summary>
[Description("Verify an export against a signed checkpoint, offline", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public override async Task<bool> Execute(VerifyInput input)
    {
        foreach (var (flag, path) in new[] { ("--export", input.ExportFlag), ("--checkpoint", input.CheckpointFlag), ("--public-key", input.PublicKeyFlag) })
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"{flag}: no such file '{path}'");
                return false;
            }
        var checkpoint = JsonSerializer.Deserialize<Checkpoint>(await File.ReadAllTextAsync(input.CheckpointFlag), JsonSetup.Options)
                         ?? throw new InvalidDataException("the checkpoint file is empty");
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(input.PublicKeyFlag));
        await using var export = File.OpenRead(input.ExportFlag);
        var report = await OfflineVerification.VerifyAsync(export, checkpoint, key, CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(report, JsonSetup.Options));
        return report.Ok;
    }
}

public static class OfflineVerification
{
    /// <summary>Recomputes the leaves of an export, the root at the checkpoint's size, and checks its signature.</summary>
    public static async Task<VerificationReport> VerifyAsync(Stream export, Checkpoint checkpoint, ECDsa publicKey, CancellationToken ct)
    {
        var tree = new TreeRecomputation([checkpoint], publicKey);
        using var reader = new StreamReader(export);
        long checkedEvents = 0, lineNumber = 0;
        while (tree.Size < checkpoint.TreeSize && await reader.ReadLineAsync(ct) is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            LeafContent content;
            long? leafIndex;
            string? leafHash;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                leafIndex = e.TryGetProperty("leafIndex", out var li) ? li.GetInt64() : null;
                leafHash = e.TryGetProperty("leafHash", out var lh) ? lh.GetString() : null;
                content = new LeafContent(e.GetProperty("streamId").GetGuid(), e.GetProperty("version").GetInt64(), e.GetProperty("type").GetString()!,
                    e.GetProperty("data").GetRawText(), e.GetProperty("actor").GetString()!, e.GetProperty("recordedAt").GetString()!);
            }
            catch (Exception x) when (x is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                tree.Break(new BrokenLeaf(tree.Size, null, null, $"line {lineNumber} of the export is not an event: {x.Message}"));
                break;
            }
            if (leafIndex is null) continue; // not yet in the tree when exported
            if (leafIndex != tree.Size)
                tree.Break(new BrokenLeaf(tree.Size, content.StreamId, content.Version, $"leaf {tree.Size} is missing from the export (line {lineNumber} holds leaf {leafIndex})"));
            var hash = content.LeafHash();
            if (leafHash != null && !string.Equals(LeafContent.Hex(hash), leafHash, StringComparison.OrdinalIgnoreCase))
                tree.Break(new BrokenLeaf(leafIndex, content.StreamId, content.Version, "the event was changed: its hash no longer matches its leaf"));
            checkedEvents++;
            tree.Add(hash);
        }
        tree.Finish();
        return new VerificationReport(tree.FirstBroken is null, checkedEvents, tree.Size, tree.FirstBroken, checkpoint);
    }
}
