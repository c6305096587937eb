using System.Net.Http.Json;
using System.Text.Json;
using ClaimLedger.Audit.Notes;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Reliability;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>
/// A log and a witness, each its own API process on loopback: the log submits its checkpoints, the witness cosigns them,
/// and Go's transparency-log packages check the result; and a split view, caught.
/// </summary>
public class WitnessingTests
{
    private const string WitnessName = "witness.test/w1";

    /// <summary>A witness process on a database of its own, witnessing the log of <paramref name="logVerifierKey"/>.</summary>
    private static async Task<(ApiProcess Process, string VerifierKey)> StartWitnessAsync(string logVerifierKey)
    {
        var key = PemKeys.NewEd25519Pem();
        var process = await ApiProcess.StartAsync(await TestDatabase.CreateAsync("witness"), LedgerApi.NewSigningKey(), "no key needed",
            new Dictionary<string, string>
            {
                ["ClaimLedger__Witness__Name"] = WitnessName,
                ["ClaimLedger__Witness__PrivateKeyPem"] = key,
                ["ClaimLedger__Witness__Logs__0__VerifierKey"] = logVerifierKey,
            });
        using var signing = PemKeys.Read(key).Ed25519[0];
        return (process, new NoteSigner(WitnessName, NoteKeyTypes.Cosignature, signing).Verifier.Encoded);
    }

    private static Dictionary<string, string> Witnessed(ApiProcess witness, string witnessKey, string separator) => new()
    {
        [$"ClaimLedger{separator}Witnesses{separator}0{separator}Url"] = $"http://127.0.0.1:{witness.Port}/tlog/witness",
        [$"ClaimLedger{separator}Witnesses{separator}0{separator}VerifierKey"] = witnessKey,
    };

    private static async Task<string> VerifierKeyAsync(LedgerApi api) =>
        (await api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json.GetProperty("verifierKey").GetString()!;

    /// <summary>Until the log's checkpoint note of its whole tree carries a cosignature.</summary>
    private static async Task<string> CosignedNoteAsync(Func<Task<string>> note, long size)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var text = await note();
            if (text.Contains($"\n{size}\n") && text.Split('\n').Count(l => l.StartsWith('\u2014')) == 2) return text;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no cosigned checkpoint of size {size}: {text}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_log_and_its_witness_on_loopback_cosign_and_Go_s_tlog_packages_verify_the_note_the_tiles_and_the_proof()
    {
        var tlogcheck = await GoCheck.BuildAsync();
        await using var log = await LedgerApi.StartAsync("witnessed");
        var logKey = await VerifierKeyAsync(log);
        var (witness, witnessKey) = await StartWitnessAsync(logKey);
        await using var witnessAlive = witness;
        await using var node = await ApiProcess.StartAsync(log.ConnectionString, log.SigningKeyPem, log.Keys[LedgerApi.Auditor],
            Witnessed(witness, witnessKey, "__"));
        async Task<string> Note() => (await node.Http.GetAsync("/tlog/checkpoint")) is { IsSuccessStatusCode: true } r ? await r.Content.ReadAsStringAsync() : "";

        await log.SeedAsync(3);
        var first = await CosignedNoteAsync(Note, await log.ScalarAsync("select count(*) from claimledger.ledger_leaves"));
        await log.SeedAsync(150);
        var size = await log.ScalarAsync("select count(*) from claimledger.ledger_leaves");
        await CosignedNoteAsync(Note, size);

        var folder = Directory.CreateTempSubdirectory("claimledger-go-");
        try
        {
            var leaf = await node.Http.GetFromJsonAsync<JsonElement>("/api/audit/leaves/260");
            await File.WriteAllBytesAsync(Path.Combine(folder.FullName, "leaf"), Convert.FromBase64String(leaf.GetProperty("leafContent").GetString()!));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "leaf.tlog-proof"), await node.Http.GetStringAsync("/api/audit/leaves/260/proof"));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "old.note"), first);
            // The export is taken after the checkpoint is read, as docs/verifying.md says.
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "events.ndjson"), await node.Http.GetStringAsync("/api/export/events"));
            var go = await Repository.RunAsync(tlogcheck, ["-log", logKey, "-witness", witnessKey, "-url", $"http://127.0.0.1:{node.Port}",
                "-proof", "leaf.tlog-proof", "-leaf", "leaf", "-old", "old.note", "-export", "events.ndjson"], folder.FullName);
            go.ExitCode.ShouldBe(0, go.StandardOutput + go.StandardError);
            go.StandardOutput.ShouldContain($"ok note: {logKey.Split('+')[0]} size {size} signed by");
            go.StandardOutput.ShouldContain("cosigned by " + WitnessName);
            go.StandardOutput.ShouldContain("ok tiles");
            go.StandardOutput.ShouldContain("ok proof: leaf 260");
            go.StandardOutput.ShouldContain("ok consistency");
            go.StandardOutput.ShouldContain($"ok export: its {size} leaf hashes are those of the signed tree of size {size}");

            // Without a witness named, the log's signature alone is checked; a leaf hash changed in the export is caught.
            var unwitnessed = await Repository.RunAsync(tlogcheck, ["-log", logKey, "-url", $"http://127.0.0.1:{node.Port}"], folder.FullName);
            unwitnessed.ExitCode.ShouldBe(0, unwitnessed.StandardOutput + unwitnessed.StandardError);
            unwitnessed.StandardOutput.ShouldNotContain("cosigned");
            var lines = (await File.ReadAllLinesAsync(Path.Combine(folder.FullName, "events.ndjson"))).ToList();
            var at = lines.FindIndex(l => l.Contains("\"leafIndex\":7,"));
            var hash = JsonDocument.Parse(lines[at]).RootElement.GetProperty("leafHash").GetString()!;
            lines[at] = lines[at].Replace(hash, hash[..^1] + (hash[^1] == '0' ? '1' : '0'));
            await File.WriteAllLinesAsync(Path.Combine(folder.FullName, "changed.ndjson"), lines);
            var changed = await Repository.RunAsync(tlogcheck, ["-log", logKey, "-url", $"http://127.0.0.1:{node.Port}", "-export", "changed.ndjson"], folder.FullName);
            changed.ExitCode.ShouldBe(1, changed.StandardOutput + changed.StandardError);
            changed.StandardOutput.ShouldContain("FAIL: export: leaf 7 has hash");
            var otherLog = await Repository.RunAsync(tlogcheck, ["-log", new TestLog(logKey.Split('+')[0]).VerifierKey, "-url", $"http://127.0.0.1:{node.Port}"], folder.FullName);
            otherLog.ExitCode.ShouldBe(1, otherLog.StandardOutput + otherLog.StandardError);
            otherLog.StandardOutput.ShouldContain("FAIL: /tlog/checkpoint");

            // The same proof offline with ClaimLedger's command, against a policy that requires the witness.
            var policy = Path.Combine(folder.FullName, "policy");
            await File.WriteAllTextAsync(policy, $"log {logKey}\nwitness w1 {witnessKey}\nquorum w1\n");
            var verified = await Repository.RunAsync("dotnet", [Repository.ApiAssembly, "verify", "--proof", Path.Combine(folder.FullName, "leaf.tlog-proof"),
                "--leaf", Path.Combine(folder.FullName, "leaf"), "--policy", policy], Repository.Root,
                new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = "Host=127.0.0.1;Port=1;Database=none;Timeout=1" });
            verified.ExitCode.ShouldBe(0, verified.StandardOutput + verified.StandardError);
            verified.StandardError.ShouldContain("cosigned by w1");
        }
        finally { folder.Delete(true); }

        var report = await node.Http.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        report.GetProperty("ok").GetBoolean().ShouldBeTrue(report.ToString());
        var seen = report.GetProperty("witnesses").EnumerateArray().Single();
        seen.GetProperty("name").GetString().ShouldBe(WitnessName);
        seen.GetProperty("ok").GetBoolean().ShouldBeTrue();
        seen.GetProperty("treeSize").GetInt64().ShouldBe(size);
    }

    /// <summary>
    /// The log's database copied, different events written to each copy, both signing with the same key under the same
    /// origin: the witness cosigns the first it hears from and refuses the other, whose verify says so.
    /// </summary>
    [Fact]
    public async Task A_split_view_is_cosigned_once_and_refused_once_and_verify_says_so()
    {
        var origin = new Dictionary<string, string> { ["ClaimLedger:Ledger:Origin"] = "newsroom.test/split" };
        var original = await LedgerApi.StartAsync("split", origin);
        await original.SeedAsync(2);
        var logKey = await VerifierKeyAsync(original);
        await original.DisposeAsync();
        var copy = await CopyDatabaseAsync(original.ConnectionString);

        var (witness, witnessKey) = await StartWitnessAsync(logKey);
        await using var witnessAlive = witness;
        var settings = new Dictionary<string, string>(origin.Concat(Witnessed(witness, witnessKey, ":")));
        await using var a = await LedgerApi.StartLikeAsync(original, settings: settings);
        await a.SeedAsync(1);
        var sizeA = await a.ScalarAsync("select count(*) from claimledger.ledger_leaves");
        await CosignedNoteAsync(async () => (await a.Get("/tlog/checkpoint", null)).Body, sizeA);

        await using var b = await LedgerApi.StartLikeAsync(original, copy, settings);
        await b.SeedAsync(3); // more events than a's, so that b can offer a consistency proof from a's size: a proof of b's tree
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement reportB;
        while (true)
        {
            reportB = (await b.Get("/api/audit/verify", LedgerApi.Auditor)).Json;
            if (!reportB.GetProperty("ok").GetBoolean() || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        reportB.GetProperty("ok").GetBoolean().ShouldBeFalse(reportB.ToString());
        reportB.TryGetProperty("firstBroken", out _).ShouldBeFalse("b's own events are intact: only the witness sees the split");
        var refusal = reportB.GetProperty("witnesses").EnumerateArray().Single();
        refusal.GetProperty("ok").GetBoolean().ShouldBeFalse();
        refusal.GetProperty("reason").GetString().ShouldNotBeNull().ShouldContain("split view");
        (await b.Get("/tlog/checkpoint", null)).Body.Split('\n').Count(l => l.StartsWith('\u2014')).ShouldBe(1, "b's checkpoints carry no cosignature");

        // a goes on being witnessed.
        await a.SeedAsync(1);
        await CosignedNoteAsync(async () => (await a.Get("/tlog/checkpoint", null)).Body, await a.ScalarAsync("select count(*) from claimledger.ledger_leaves"));
        var reportA = (await a.Get("/api/audit/verify", LedgerApi.Auditor)).Json;
        reportA.GetProperty("ok").GetBoolean().ShouldBeTrue(reportA.ToString());
        reportA.GetProperty("witnesses")[0].GetProperty("ok").GetBoolean().ShouldBeTrue();
    }

    /// <summary>A copy of a database no one is connected to (PostgreSQL's template copy).</summary>
    private static async Task<string> CopyDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var source = new NpgsqlConnectionStringBuilder(connectionString);
        // Named as the test databases are, so that the clean-up of left-overs finds it too.
        var name = $"cltest_{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_copy_{Guid.NewGuid():N}";
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString);
        await conn.OpenAsync();
        await using (var kick = new NpgsqlCommand($"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{source.Database}'", conn))
            await kick.ExecuteNonQueryAsync();
        await using (var create = new NpgsqlCommand($"create database \"{name}\" template \"{source.Database}\"", conn))
            await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }
}

/// <summary>
/// Builds docs/tlogcheck, the auditor's Go program of docs/verifying.md, that checks a log with golang.org/x/mod/sumdb/note
/// and sumdb/tlog (Debian: golang-go, golang-golang-x-mod-dev; .ci/run installs them). Without Go the tests fail.
/// </summary>
public static class GoCheck
{
    private static readonly Lazy<Task<string>> Built = new(BuildOnceAsync);

    public static Task<string> BuildAsync() => Built.Value;

    private static async Task<string> BuildOnceAsync()
    {
        var source = Path.Combine(Repository.Root, "docs", "tlogcheck");
        var output = Path.Combine(Path.GetTempPath(), $"claimledger-tlogcheck-{Environment.ProcessId}");
        Repository.Outcome built;
        try
        {
            built = await Repository.RunAsync("go", ["build", "-o", output, "."], source, new Dictionary<string, string>
            {
                ["GO111MODULE"] = "off", ["GOPATH"] = "/usr/share/gocode", ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "claimledger-gocache"),
                ["GOFLAGS"] = "", ["CGO_ENABLED"] = "0",
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("Go is not installed: apt-get install golang-go golang-golang-x-mod-dev (.ci/run does it)");
        }
        built.ExitCode.ShouldBe(0, "go build tlogcheck (needs golang-golang-x-mod-dev): " + built.StandardOutput + built.StandardError);
        return output;
    }
}
