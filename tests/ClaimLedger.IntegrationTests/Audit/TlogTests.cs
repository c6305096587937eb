using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Audit.Tlog;
using ClaimLedger.IntegrationTests.Support;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>The ledger as C2SP's formats show it: the checkpoint note, the tiles, the leaves, the tlog-proofs, and the offline checks.</summary>
public class TlogTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("tlog");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<List<byte[]>> LeafHashesAsync()
    {
        await using var conn = new NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select leaf_hash from claimledger.ledger_leaves order by leaf_index", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var hashes = new List<byte[]>();
        while (await reader.ReadAsync()) hashes.Add((byte[])reader[0]);
        return hashes;
    }

    private async Task<(NoteVerifierKey Key, string Note, CheckpointBody Body)> CheckpointAsync()
    {
        var published = (await _api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json;
        var key = NoteVerifierKey.Parse(published.GetProperty("verifierKey").GetString(), out _)!;
        var served = await _api.Get("/tlog/checkpoint", user: null);
        served.Status.ShouldBe(200, served.Body);
        var note = SignedNote.Parse(served.Body, out _)!;
        key.Signed(note).ShouldBeTrue();
        return (key, served.Body, CheckpointBody.Parse(note.Text, out _)!);
    }

    [Fact]
    public async Task The_checkpoint_is_a_signed_note_of_the_origin_and_the_tiles_hold_the_tree()
    {
        await _api.SeedAsync(130); // 2 + 2 × 130 leaves: one full tile and a partial one at level 0
        var (key, noteText, checkpoint) = await CheckpointAsync();
        var published = (await _api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json;
        published.GetProperty("origin").GetString().ShouldBe(checkpoint.Origin);
        checkpoint.Origin.ShouldStartWith("claimledger.localhost/cltest_");
        key.Name.ShouldBe(checkpoint.Origin);
        published.GetProperty("keyId").GetString().ShouldBe(key.KeyIdHex);
        var latest = (await _api.Get("/api/audit/checkpoints/latest", LedgerApi.Auditor)).Json;
        latest.GetProperty("note").GetString().ShouldBe(noteText);
        latest.GetProperty("treeSize").GetInt64().ShouldBe(checkpoint.TreeSize);
        latest.GetProperty("origin").GetString().ShouldBe(checkpoint.Origin);
        (await _api.Get("/api/audit/verify", LedgerApi.Auditor)).Json.GetProperty("checkpoint").GetProperty("note").GetString().ShouldNotBeNull();

        var leaves = await LeafHashesAsync();
        var size = checkpoint.TreeSize;
        size.ShouldBe(leaves.Count);
        size.ShouldBeInRange(258, 511);
        var width = size - 256;
        var full = await _api.Get("/tlog/tile/0/000", user: null);
        full.Status.ShouldBe(200);
        full.ContentType.ShouldBe("application/octet-stream");
        var raw = await TileAsync("0/000");
        raw.ShouldBe(leaves.Take(256).SelectMany(h => h).ToArray());
        (await TileAsync($"0/001.p/{width}")).ShouldBe(leaves.Skip(256).SelectMany(h => h).ToArray());
        (await TileAsync("0/001.p/2")).ShouldBe(leaves.Skip(256).Take(2).SelectMany(h => h).ToArray());
        var tree = new MemoryMerkleTree(leaves);
        (await TileAsync("1/000.p/1")).ShouldBe(tree.Tree.Hash(0, 256));
        // From the tiles alone: the signed root.
        var fromTiles = new MemoryMerkleTree((await TileAsync("0/000")).Chunk(32).Concat((await TileAsync($"0/001.p/{width}")).Chunk(32)));
        fromTiles.Tree.Root(size).ShouldBe(checkpoint.RootHash);

        foreach (var (path, status) in new[] { ("0/001", 404), ($"0/001.p/{width + 1}", 404), ("1/000", 404), ("0/01", 400), ("0/000.p/0", 400), ("entries/000", 400), ("0/x000/000", 400) })
        {
            var r = await _api.Get($"/tlog/tile/{path}", user: null);
            r.Status.ShouldBe(status, path);
            r.ProblemField.ShouldBe("path");
        }
    }

    private async Task<byte[]> TileAsync(string path)
    {
        var response = await _api.Host.Server.CreateClient().GetAsync($"/tlog/tile/{path}");
        response.IsSuccessStatusCode.ShouldBeTrue(path);
        response.Headers.CacheControl!.ToString().ShouldContain("immutable");
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task A_leaf_its_bytes_and_its_tlog_proof_verify_offline_against_a_policy()
    {
        await _api.SeedAsync(4);
        var (key, _, checkpoint) = await CheckpointAsync();
        var leaf = await _api.Get("/api/audit/leaves/5", LedgerApi.Checker);
        leaf.Status.ShouldBe(200, leaf.Body);
        var bytes = Convert.FromBase64String(leaf.Json.GetProperty("leafContent").GetString()!);
        LeafContent.Hex(MerkleTree.LeafHash(bytes)).ShouldBe(leaf.Json.GetProperty("leafHash").GetString());
        leaf.Json.GetProperty("leafIndex").GetInt64().ShouldBe(5);
        (await _api.Get("/api/audit/leaves/999999")).Status.ShouldBe(404);
        (await _api.Get("/api/audit/leaves/x")).ProblemField.ShouldBe("leafIndex");

        var proof = await _api.Get("/api/audit/leaves/5/proof");
        proof.Status.ShouldBe(200, proof.Body);
        proof.Body.ShouldStartWith("c2sp.org/tlog-proof@v1\nindex 5\n");
        var policy = TlogPolicy.Parse($"log {key.Encoded}\nquorum none\n", out _)!;
        var report = ProofVerification.Verify(proof.Body, bytes, policy);
        report.Ok.ShouldBeTrue(report.Reason);
        report.TreeSize.ShouldBe(checkpoint.TreeSize);
        ProofVerification.Verify(proof.Body, [.. bytes, 0x20], policy).Reason.ShouldNotBeNull().ShouldContain("not included");
        ProofVerification.Verify(proof.Body, bytes, TlogPolicy.Parse($"log {new TestLog(checkpoint.Origin).VerifierKey}\nquorum none\n", out _)!)
            .Reason.ShouldNotBeNull().ShouldContain("no valid signature");

        (await _api.Get($"/api/audit/leaves/5/proof?treeSize={checkpoint.TreeSize}")).Body.ShouldBe(proof.Body);
        (await _api.Get($"/api/audit/leaves/5/proof?treeSize={checkpoint.TreeSize + 1}")).ProblemField.ShouldBe("treeSize");
        (await _api.Get($"/api/audit/leaves/{checkpoint.TreeSize}/proof")).ProblemField.ShouldBe("leafIndex");
        (await _api.Get("/api/audit/leaves/5/proof?treeSize=0")).ProblemField.ShouldBe("treeSize");

        // The same, offline, with the command line: 0 verified, 1 not, 2 unusable input.
        var folder = Directory.CreateTempSubdirectory("claimledger-tlog-");
        try
        {
            string File(string name, string text) { var path = Path.Combine(folder.FullName, name); System.IO.File.WriteAllText(path, text); return path; }
            var proofFile = File("leaf5.tlog-proof", proof.Body);
            var policyFile = File("policy", $"log {key.Encoded}\nquorum none\n");
            var leafFile = Path.Combine(folder.FullName, "leaf5");
            await System.IO.File.WriteAllBytesAsync(leafFile, bytes);
            var ok = await VerifyAsync("--proof", proofFile, "--leaf", leafFile, "--policy", policyFile);
            ok.ExitCode.ShouldBe(0, ok.StandardOutput + ok.StandardError);
            ok.StandardError.ShouldContain("verified: leaf 5 is in " + checkpoint.Origin);
            var other = Path.Combine(folder.FullName, "other");
            await System.IO.File.WriteAllBytesAsync(other, [.. bytes, 0x20]);
            var refused = await VerifyAsync("--proof", proofFile, "--leaf", other, "--policy", policyFile);
            refused.ExitCode.ShouldBe(1, refused.StandardOutput + refused.StandardError);
            refused.StandardError.ShouldContain("NOT verified");
            var witnessed = File("witnessed", $"log {key.Encoded}\nwitness W {new TestLogWitness().VerifierKey}\nquorum W\n");
            (await VerifyAsync("--proof", proofFile, "--leaf", leafFile, "--policy", witnessed)).StandardError.ShouldContain("cosigned by 0 witness");
            (await VerifyAsync("--proof", proofFile, "--leaf", Path.Combine(folder.FullName, "missing"), "--policy", policyFile)).ExitCode.ShouldBe(2);
            (await VerifyAsync("--proof", proofFile, "--leaf", leafFile, "--policy", File("bad", "quorum nobody\n"))).ExitCode.ShouldBe(2);

            // A whole export against the note and its verifier key.
            var export = File("events.ndjson", (await _api.Get("/api/export/events", LedgerApi.Auditor)).Body);
            var note = File("checkpoint.note", (await _api.Get("/tlog/checkpoint", user: null)).Body);
            var exported = await VerifyAsync("--export", export, "--checkpoint", note, "--verifier-key", key.Encoded);
            exported.ExitCode.ShouldBe(0, exported.StandardOutput + exported.StandardError);
            var vkeyFile = File("log.vkey", new TestLog(checkpoint.Origin).VerifierKey);
            var forged = await VerifyAsync("--export", export, "--checkpoint", note, "--verifier-key", vkeyFile);
            forged.ExitCode.ShouldBe(1, forged.StandardOutput + forged.StandardError);
            forged.StandardError.ShouldContain("does not carry a valid signature");
            (await VerifyAsync("--export", export, "--checkpoint", note, "--verifier-key", "nonsense")).ExitCode.ShouldBe(2);
            // The keys as GET /api/audit/public-key answers them, saved as they came; the JSON checkpoint with the verifier key.
            var published = File("public-key.json", (await _api.Get("/api/audit/public-key", LedgerApi.Auditor)).Body);
            var json = File("checkpoint.json", (await _api.Get("/api/audit/checkpoints/latest", LedgerApi.Auditor)).Body);
            foreach (var args in new[] { new[] { "--checkpoint", note, "--verifier-key", published }, ["--checkpoint", json, "--public-key", published],
                         ["--checkpoint", json, "--verifier-key", key.Encoded] })
            {
                var run = await VerifyAsync(["--export", export, .. args]);
                run.ExitCode.ShouldBe(0, string.Join(' ', args) + ": " + run.StandardOutput + run.StandardError);
            }
            (await VerifyAsync("--export", export, "--checkpoint", json, "--public-key", File("empty.json", "{}"))).ExitCode.ShouldBe(2);
        }
        finally { folder.Delete(true); }
    }

    private static Task<Repository.Outcome> VerifyAsync(params string[] args) =>
        Repository.RunAsync("dotnet", [Repository.ApiAssembly, "verify", .. args], Repository.Root,
            new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = "Host=127.0.0.1;Port=1;Database=none;Timeout=1" });

    [Fact]
    public async Task The_tlog_routes_need_a_reader_s_key_when_they_are_not_public()
    {
        await using var closed = await LedgerApi.StartAsync("tlog_closed", new Dictionary<string, string> { ["ClaimLedger:Tlog:Public"] = "false" });
        await closed.SeedAsync(1);
        foreach (var path in new[] { "/tlog/checkpoint", "/tlog/tile/0/000.p/1" })
        {
            (await closed.Get(path, user: null)).Status.ShouldBe(401, path);
            (await closed.Get(path, LedgerApi.Admin)).Status.ShouldBe(403, path);
            (await closed.Get(path, LedgerApi.Checker)).Status.ShouldBe(200, path);
        }
    }
}

/// <summary>A witness key nobody uses: a policy that requires it is never met.</summary>
public sealed class TestLogWitness
{
    public string VerifierKey { get; } = new NoteSigner("witness.test/absent", NoteKeyTypes.Cosignature, PemKeys.NewEd25519()).Verifier.Encoded;
}
