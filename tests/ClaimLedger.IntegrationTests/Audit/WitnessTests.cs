using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Audit.Witnessing;
using ClaimLedger.IntegrationTests.Support;
using NSec.Cryptography;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>A log of the tests' own, kept in memory, that signs checkpoints with its Ed25519 key.</summary>
public sealed class TestLog(string origin) : IDisposable
{
    private readonly Key _key = PemKeys.NewEd25519();
    private readonly MemoryMerkleTree _tree = new();
    public string Origin => origin;
    public NoteSigner Signer => new(origin, NoteKeyTypes.Ed25519, _key);
    public string VerifierKey => Signer.Verifier.Encoded;
    public MerkleTree Tree => _tree.Tree;

    /// <summary>Appends leaves named <paramref name="salt"/>0, <paramref name="salt"/>1, …</summary>
    public TestLog Grow(int leaves, string salt = "leaf")
    {
        for (var i = 0; i < leaves; i++) _tree.Add(MerkleTree.LeafHash(System.Text.Encoding.UTF8.GetBytes($"{salt}{_tree.Size}")));
        return this;
    }

    public string Note(long size, NoteSigner? signer = null)
    {
        var text = CheckpointBody.Format(origin, size, Tree.Root(size));
        return new SignedNote(text, [(signer ?? Signer).Sign(text)]).ToString();
    }

    public string Request(long old, long size, IReadOnlyList<byte[]>? proof = null, NoteSigner? signer = null) =>
        new AddCheckpointRequest(old, proof ?? (old == 0 ? [] : Tree.ConsistencyProof(old, size)), Note(size, signer)).Format();

    public void Dispose() => _key.Dispose();
}

/// <summary>The witness endpoint, every answer tlog-witness defines, and its state across a restart.</summary>
public class WitnessTests : IAsyncLifetime
{
    private readonly TestLog _log = new TestLog("log.test/a").Grow(9);
    private readonly string _witnessKey = PemKeys.NewEd25519Pem();
    private LedgerApi _witness = null!;

    private Dictionary<string, string> Settings() => new()
    {
        ["ClaimLedger:Witness:Name"] = "witness.test/w1",
        ["ClaimLedger:Witness:PrivateKeyPem"] = _witnessKey,
        ["ClaimLedger:Witness:Logs:0:VerifierKey"] = _log.VerifierKey,
    };

    public async Task InitializeAsync() => _witness = await LedgerApi.StartAsync("witness", Settings());
    public async Task DisposeAsync()
    {
        await _witness.DisposeAsync();
        _log.Dispose();
    }

    private Task<ApiResponse> Add(string body) => _witness.PostRaw("/tlog/witness/add-checkpoint", body, user: null, contentType: "text/plain");

    private async Task<NoteVerifierKey> WitnessKeyAsync()
    {
        var published = await _witness.Get("/api/audit/public-key", LedgerApi.Auditor);
        return NoteVerifierKey.Parse(published.Json.GetProperty("witnessVerifierKey").GetString(), out _)!;
    }

    private static void ShouldHold(ApiResponse r, long size)
    {
        r.Status.ShouldBe(409, r.Body);
        r.ContentType.ShouldBe("text/x.tlog.size");
        r.Body.ShouldBe($"{size}\n");
    }

    [Fact]
    public async Task The_witness_cosigns_what_extends_its_view_and_refuses_everything_else_as_tlog_witness_says()
    {
        var key = await WitnessKeyAsync();
        key.Type.ShouldBe(NoteKeyTypes.Cosignature);
        key.Name.ShouldBe("witness.test/w1");

        (await Add("not a request")).Status.ShouldBe(400);
        using (var stranger = new TestLog("log.test/unknown").Grow(3))
        {
            var unknown = await Add(stranger.Request(0, 3));
            unknown.Status.ShouldBe(403, unknown.Body); // tlog-witness says 404; the contract says 403
            // The known origin, signed with another key: a forgery.
            var forged = await Add(_log.Request(0, 3, signer: new NoteSigner(_log.Origin, NoteKeyTypes.Ed25519, PemKeys.NewEd25519())));
            forged.Status.ShouldBe(403, forged.Body);
        }
        var beyond = await Add(_log.Request(5, 3, proof: []));
        beyond.Status.ShouldBe(400, beyond.Body);
        beyond.ProblemField.ShouldBe("old");
        (await Add(_log.Request(0, 3, proof: [_log.Tree.Root(1)]))).ProblemField.ShouldBe("proof");

        // The first checkpoint of the log, from size 0: cosigned with the witness's key, at about now.
        var first = await Add(_log.Request(0, 3));
        first.Status.ShouldBe(200, first.Body);
        first.ContentType.ShouldBe("text/plain");
        var cosignature = NoteSignature.Parse(first.Body.TrimEnd('\n'))!;
        key.Verifies(CheckpointBody.Format(_log.Origin, 3, _log.Tree.Root(3)), cosignature, out var time).ShouldBeTrue();
        time!.Value.ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        // An old size that is not the one it holds: 409 with the size it holds.
        ShouldHold(await Add(_log.Request(0, 5)), 3);
        ShouldHold(await Add(_log.Request(2, 5)), 3);

        // A fork: the same first two leaves, another third. Its proof from 3 does not lead from the root held.
        using (var fork = new TestLog(_log.Origin).Grow(2).Grow(3, "fork"))
        {
            var forkSigner = _log.Signer;
            var split = await Add(new AddCheckpointRequest(3, fork.Tree.ConsistencyProof(3, 5), fork.Note(5, forkSigner)).Format());
            split.Status.ShouldBe(422, split.Body);
            split.ProblemField.ShouldBe("proof");
            // The same size with another root is a conflict too.
            ShouldHold(await Add(new AddCheckpointRequest(3, [], fork.Note(3, forkSigner)).Format()), 3);
        }
        // A proof tampered with in one bit.
        var proof = _log.Tree.ConsistencyProof(3, 5);
        proof[0] = [.. proof[0]];
        proof[0][0] ^= 1;
        (await Add(_log.Request(3, 5, proof))).Status.ShouldBe(422);

        (await Add(_log.Request(3, 3))).Status.ShouldBe(200); // the same checkpoint again: cosigned again
        (await Add(_log.Request(3, 7))).Status.ShouldBe(200);
        ShouldHold(await Add(_log.Request(3, 9)), 7);
    }

    [Fact]
    public async Task A_restarted_witness_keeps_what_it_cosigned_and_still_refuses_a_fork()
    {
        (await Add(_log.Request(0, 7))).Status.ShouldBe(200);
        await _witness.DisposeAsync();
        _witness = await LedgerApi.StartLikeAsync(_witness, settings: Settings());

        ShouldHold(await Add(_log.Request(0, 9)), 7);
        using (var fork = new TestLog(_log.Origin).Grow(6).Grow(3, "fork"))
            (await Add(new AddCheckpointRequest(7, fork.Tree.ConsistencyProof(7, 9), fork.Note(9, _log.Signer)).Format())).Status.ShouldBe(422);
        (await Add(_log.Request(7, 9))).Status.ShouldBe(200);
        ShouldHold(await Add(_log.Request(7, 9)), 9);
    }

    [Fact]
    public async Task Concurrent_requests_from_one_size_are_cosigned_once()
    {
        (await Add(_log.Request(0, 3))).Status.ShouldBe(200);
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Add(_log.Request(3, 4 + i % 5))));
        answers.Count(a => a.Status == 200).ShouldBe(1, string.Join("; ", answers.Select(a => a.ToString())));
        answers.Where(a => a.Status != 200).ShouldAllBe(a => a.Status == 409);
    }

    private const string Replacements = "0 \n+/=—xA\u0001é";

    /// <summary>Mutated requests (characters changed, lines dropped or doubled, bodies cut): never a 5xx, never a cosignature of a fork.</summary>
    [Fact]
    public async Task Mutated_requests_get_a_refusal_never_a_server_error()
    {
        (await Add(_log.Request(0, 3))).Status.ShouldBe(200);
        var valid = _log.Request(3, 5);
        var random = new Random(29);
        var failures = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var chars = valid.ToList();
            switch (random.Next(5))
            {
                case 0: chars[random.Next(chars.Count)] = Replacements[random.Next(Replacements.Length)]; break;
                case 1: chars.RemoveAt(random.Next(chars.Count)); break;
                case 2: chars = chars.Take(random.Next(chars.Count)).ToList(); break;
                case 3: chars.Insert(random.Next(chars.Count), "\n \u2014"[random.Next(3)]); break;
                default:
                    var lines = new string(chars.ToArray()).Split('\n').ToList();
                    var line = random.Next(lines.Count);
                    if (random.Next(2) == 0) lines.RemoveAt(line); else lines.Insert(line, lines[line]);
                    chars = string.Join('\n', lines).ToList();
                    break;
            }
            var body = new string(chars.ToArray());
            if (body == valid) continue;
            var r = await Add(body);
            if (r.Status is not (400 or 403 or 409 or 422) && !(r.Status == 200 && AddCheckpointRequest.Parse(body, out _) is { OldSize: 3 }))
                failures.Add($"{r.Status} for {body}");
        }
        failures.ShouldBeEmpty();
        var state = await _witness.ScalarAsync("select tree_size from claimledger.witnessed_logs");
        (await Add(_log.Request(state, 9))).Status.ShouldBe(200);
    }

    [Fact]
    public async Task A_node_that_is_not_a_witness_says_so()
    {
        var api = await LedgerApi.Shared();
        var r = await api.PostRaw("/tlog/witness/add-checkpoint", _log.Request(0, 3), user: null, contentType: "text/plain");
        r.Status.ShouldBe(404, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
    }
}
