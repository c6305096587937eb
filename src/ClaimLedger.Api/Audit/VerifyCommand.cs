using System.Text.Json;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Audit.Tlog;
using JasperFx.CommandLine;
using ClaimLedger.Web;

namespace ClaimLedger.Audit;

public sealed class VerifyInput
{
    [Description("The NDJSON export (GET /api/export/events)")]
    [FlagAlias("export")]
    public string ExportFlag { get; set; } = "";

    [Description("A signed checkpoint: the note (GET /tlog/checkpoint), or JSON (GET /api/audit/checkpoints/latest)")]
    [FlagAlias("checkpoint")]
    public string CheckpointFlag { get; set; } = "";

    [Description("The log's note verifier key, or a file holding it or the body of GET /api/audit/public-key (its verifierKey)")]
    [FlagAlias("verifier-key")]
    public string VerifierKeyFlag { get; set; } = "";

    [Description("With a JSON checkpoint: a PEM file of the keys it may be signed with, or the body of GET /api/audit/public-key (publicKeyPem and earlierKeys)")]
    [FlagAlias("public-key")]
    public string PublicKeyFlag { get; set; } = "";

    [Description("A c2sp.org/tlog-proof@v1 file (GET /api/audit/leaves/{i}/proof)")]
    [FlagAlias("proof")]
    public string ProofFlag { get; set; } = "";

    [Description("The leaf's exact bytes (leafContent of GET /api/audit/leaves/{i}, base64-decoded)")]
    [FlagAlias("leaf")]
    public string LeafFlag { get; set; } = "";

    [Description("A c2sp.org/tlog-policy file: the log's key, the witnesses' keys, the quorum")]
    [FlagAlias("policy")]
    public string PolicyFlag { get; set; } = "";
}

/// <summary>
/// Offline checks, without the database: <c>verify --proof p.tlog-proof --leaf leaf.bin --policy policy.txt</c> (one
/// leaf, against a quorum of witnesses), or <c>verify --export events.ndjson --checkpoint checkpoint.note
/// --verifier-key &lt;vkey&gt;</c> (a whole export; a JSON checkpoint with <c>--public-key key.pem</c> too). Prints the
/// report as JSON on standard output and one line on standard error. Exit codes: 0 verified, 1 not verified, 2 the
/// input could not be used (a missing or malformed file, a missing flag).
/// </summary>
[Description("Verify an export against a signed checkpoint, or a leaf against a tlog-proof and a policy, offline", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public const int Verified = 0, NotVerified = 1, Unusable = 2;

    public override async Task<bool> Execute(VerifyInput input)
    {
        var code = await RunAsync(input);
        // JasperFx turns a command's answer into 0 or 1; an input that could not be used is told apart by its own code.
        if (code == Unusable) Environment.Exit(Unusable);
        return code == Verified;
    }

    public static async Task<int> RunAsync(VerifyInput input)
    {
        try
        {
            if (input.ProofFlag != "" || input.LeafFlag != "" || input.PolicyFlag != "") return await ProofAsync(input);
            return await ExportAsync(input);
        }
        catch (UnusableInput e)
        {
            await Console.Error.WriteLineAsync($"unusable input: {e.Message}");
            return Unusable;
        }
    }

    private static async Task<int> ProofAsync(VerifyInput input)
    {
        var proof = await ReadAsync("--proof", input.ProofFlag);
        var leaf = await File.ReadAllBytesAsync(Existing("--leaf", input.LeafFlag));
        var policy = TlogPolicy.Parse(await ReadAsync("--policy", input.PolicyFlag), out var reason) ?? throw new UnusableInput($"--policy: {reason}");
        var report = ProofVerification.Verify(proof, leaf, policy);
        Console.WriteLine(JsonSerializer.Serialize(report, JsonSetup.Options));
        await Console.Error.WriteLineAsync(report.Ok
            ? $"verified: leaf {report.LeafIndex} is in {report.Origin} at tree size {report.TreeSize}, cosigned by {(report.CosignedBy!.Count == 0 ? "no witness" : string.Join(", ", report.CosignedBy))}"
            : $"NOT verified: {report.Reason}");
        return report.Ok ? Verified : NotVerified;
    }

    private static async Task<int> ExportAsync(VerifyInput input)
    {
        var text = await ReadAsync("--checkpoint", input.CheckpointFlag);
        Checkpoint checkpoint;
        CheckpointKeys keys;
        if (text.TrimStart().StartsWith('{'))
        {
            try { checkpoint = JsonSerializer.Deserialize<Checkpoint>(text, JsonSetup.Options) ?? throw new JsonException("null"); }
            catch (JsonException e) { throw new UnusableInput($"--checkpoint: not a checkpoint: {e.Message}"); }
            if (input.PublicKeyFlag == "" && input.VerifierKeyFlag != "") keys = new CheckpointKeys([(await VerifierKeyAsync(input)).PublicKey], []);
            else
            {
                KeyRing ring;
                try { ring = PemKeys.Read(PublishedPem(await ReadAsync("--public-key", input.PublicKeyFlag))); }
                catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException) { throw new UnusableInput($"--public-key: {e.Message}"); }
                keys = new CheckpointKeys(ring.AllEd25519Public.ToList(), ring.P256);
            }
        }
        else
        {
            var vkey = await VerifierKeyAsync(input);
            if (SignedNote.Parse(text, out var why) is not { } note) throw new UnusableInput($"--checkpoint: not a signed note: {why}");
            if (CheckpointBody.Parse(note.Text, out why) is not { } body) throw new UnusableInput($"--checkpoint: not a checkpoint: {why}");
            var signature = note.Signatures.FirstOrDefault(s => s.KeyName == vkey.Name && s.KeyId == vkey.KeyId);
            checkpoint = new Checkpoint(body.TreeSize, LeafContent.Hex(body.RootHash), default,
                Convert.ToBase64String(signature?.Signature ?? []), vkey.KeyIdHex) { Origin = body.Origin, Note = text };
            // The note's own text is what the key signed; a checkpoint with extension lines is checked as written.
            keys = new CheckpointKeys(body.Text == checkpoint.NoteText() ? [vkey.PublicKey] : [], []);
        }
        await using var export = File.OpenRead(Existing("--export", input.ExportFlag));
        var report = await OfflineVerification.VerifyAsync(export, checkpoint, keys, CancellationToken.None);
        // A note carries no time: its report shows the checkpoint as the note says it.
        object shown = checkpoint.Origin is null || checkpoint.RecordedAt != default
            ? report
            : new { report.Ok, report.EventsChecked, report.TreeSize, report.FirstBroken,
                Checkpoint = new { checkpoint.Origin, checkpoint.TreeSize, checkpoint.RootHash, checkpoint.KeyId } };
        Console.WriteLine(JsonSerializer.Serialize(shown, JsonSetup.Options));
        await Console.Error.WriteLineAsync(report.Ok
            ? $"verified: {report.EventsChecked} events give the signed root of tree size {checkpoint.TreeSize}"
            : $"NOT verified: {report.FirstBroken?.Reason}");
        return report.Ok ? Verified : NotVerified;
    }

    /// <summary>The log's verifier key: given, in a file, or in the body of <c>GET /api/audit/public-key</c> as saved.</summary>
    private static async Task<NoteVerifierKey> VerifierKeyAsync(VerifyInput input)
    {
        var text = File.Exists(input.VerifierKeyFlag) ? await File.ReadAllTextAsync(input.VerifierKeyFlag) : input.VerifierKeyFlag;
        if (text.TrimStart().StartsWith('{'))
            text = Published(text, "--verifier-key").TryGetProperty("verifierKey", out var published) && published.ValueKind == JsonValueKind.String
                ? published.GetString()!
                : throw new UnusableInput("--verifier-key: the JSON has no verifierKey");
        return NoteVerifierKey.Parse(text, out var why) is { Type: NoteKeyTypes.Ed25519 } vkey
            ? vkey
            : throw new UnusableInput($"--verifier-key: not a log's verifier key: {why ?? "its type is not 0x01"}");
    }

    /// <summary>
    /// The PEM keys of a key file: PEM as it is, or the body of <c>GET /api/audit/public-key</c> as saved (its
    /// <c>publicKeyPem</c> and <c>earlierKeys</c>), so that the route's answer can be given as it came.
    /// </summary>
    private static string PublishedPem(string text)
    {
        if (!text.TrimStart().StartsWith('{')) return text;
        var published = Published(text, "--public-key");
        var pems = new List<string?>();
        if (published.TryGetProperty("publicKeyPem", out var current) && current.ValueKind == JsonValueKind.String) pems.Add(current.GetString());
        if (published.TryGetProperty("earlierKeys", out var earlier) && earlier.ValueKind == JsonValueKind.Array)
            pems.AddRange(earlier.EnumerateArray().Where(k => k.ValueKind == JsonValueKind.String).Select(k => k.GetString()));
        return pems.Count > 0 ? string.Join('\n', pems) : throw new UnusableInput("--public-key: the JSON has no publicKeyPem");
    }

    private static JsonElement Published(string json, string flag)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : throw new UnusableInput($"{flag}: not the object GET /api/audit/public-key answers");
        }
        catch (JsonException e) { throw new UnusableInput($"{flag}: not JSON: {e.Message}"); }
    }

    private static string Existing(string flag, string path) =>
        !string.IsNullOrWhiteSpace(path) && File.Exists(path) ? path : throw new UnusableInput($"{flag}: no such file '{path}'");

    private static Task<string> ReadAsync(string flag, string path) => File.ReadAllTextAsync(Existing(flag, path));

    private sealed class UnusableInput(string message) : Exception(message);
}

public static class OfflineVerification
{
    /// <summary>Recomputes the leaves of an export, the root at the checkpoint's size, and checks its signature.</summary>
    public static async Task<VerificationReport> VerifyAsync(Stream export, Checkpoint checkpoint, CheckpointKeys keys, CancellationToken ct)
    {
        var tree = new TreeRecomputation([checkpoint], keys);
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
