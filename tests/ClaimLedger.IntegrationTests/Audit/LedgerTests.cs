using System.Text.Json;
using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.IntegrationTests.Support;
using Npgsql;
using ClaimLedger.Web;

namespace ClaimLedger.IntegrationTests.Audit;

public class LedgerTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("ledger");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static byte[] Unhex(JsonElement e) => Convert.FromHexString(e.GetString()!);

    [Fact]
    public async Task Under_concurrent_writers_every_event_gets_exactly_one_leaf_densely_in_sequence_order()
    {
        var source = await _api.Source();
        var figures = new[] { await _api.Figure(), await _api.Figure() };
        var seed = await _api.Claim(source, figures[0]);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
        {
            for (var i = 0; i < 30; i++)
            {
                var r = i % 3 == 0
                    ? await _api.Post($"/api/claims/{seed}/evidence", new { sourceId = source, stance = "supports", note = $"{w}/{i}" })
                    : await _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = $"o{w}", figureId = figures[i % 2], value = new { amount = i, bound = "exact" } });
                r.Status.ShouldBeLessThan(300, r.Body);
            }
        }));
        await _api.SettleAsync();

        var events = await _api.ScalarAsync("select count(*) from claimledger.mt_events");
        events.ShouldBeGreaterThan(240);
        (await _api.ScalarAsync("select count(*) from claimledger.ledger_leaves")).ShouldBe(events);
        (await _api.ScalarAsync("select count(distinct seq_id) from claimledger.ledger_leaves")).ShouldBe(events);
        (await _api.ScalarAsync("select max(leaf_index) + 1 from claimledger.ledger_leaves")).ShouldBe(events);
        (await _api.ScalarAsync("select count(*) from claimledger.mt_events e where not exists (select 1 from claimledger.ledger_leaves l where l.seq_id = e.seq_id)")).ShouldBe(0);
        // Leaf order is sequence order.
        (await _api.ScalarAsync("select count(*) from (select seq_id, lag(seq_id) over (order by leaf_index) prev from claimledger.ledger_leaves) x where prev >= seq_id")).ShouldBe(0);
        (await _api.ScalarAsync(LedgerSchema.LagSql)).ShouldBe(0);
        var report = await _api.Get("/api/audit/verify", LedgerApi.Auditor);
        report.Json.GetProperty("ok").GetBoolean().ShouldBeTrue(report.Body);
        report.Json.GetProperty("eventsChecked").GetInt64().ShouldBe(events);
    }

    [Fact]
    public async Task The_ledger_lag_counts_the_sequence_numbers_after_the_last_leaf()
    {
        await _api.SeedAsync();
        (await _api.ScalarAsync(LedgerSchema.LagSql)).ShouldBe(0);
        var last = await _api.ScalarAsync("select max(seq_id) from claimledger.mt_events");
        var before = await _api.ScalarAsync("select max(seq_id) from claimledger.ledger_leaves where seq_id < @s", ("s", last));
        // Behind the sequencer's back: the last event loses its leaf, as if it had not been sequenced yet.
        await _api.ExecuteAsync($"delete from claimledger.ledger_leaves where seq_id = {last}");
        (await _api.ScalarAsync(LedgerSchema.LagSql)).ShouldBe(last - before);
    }

    [Fact]
    public async Task The_latest_checkpoint_is_signed_with_the_configured_key_and_proofs_verify_against_it()
    {
        var claims = await _api.SeedAsync();
        var checkpoint = await _api.Get("/api/audit/checkpoints/latest", LedgerApi.Auditor);
        checkpoint.Status.ShouldBe(200, checkpoint.Body);
        var head = JsonSerializer.Deserialize<Checkpoint>(checkpoint.Body, ClaimLedger.Web.JsonSetup.Options)!;
        var published = (await _api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json;
        var vkey = NoteVerifierKey.Parse(published.GetProperty("verifierKey").GetString(), out _)!;
        var keys = new CheckpointKeys([vkey.PublicKey], []);
        keys.Verifies(head).ShouldBeTrue();
        // The key is the one configured, named by the origin, and its key ID is the note's.
        var configured = PemKeys.Read(_api.SigningKeyPem).AllEd25519Public.Single();
        vkey.PublicKey.ShouldBe(configured);
        vkey.Name.ShouldBe(head.Origin);
        vkey.KeyIdHex.ShouldBe(head.KeyId);
        vkey.Signed(SignedNote.Parse(head.Note!, out _)!).ShouldBeTrue();
        keys.Verifies(head with { TreeSize = head.TreeSize - 1 }).ShouldBeFalse();
        (await _api.ScalarAsync("select count(*) from claimledger.mt_doc_useraccount where data::text like '%PRIVATE%'")).ShouldBe(0);
        (await _api.ScalarAsync("select count(*) from claimledger.mt_events where data::text like '%PRIVATE%'")).ShouldBe(0);

        // Each event of a claim shows its leaf; its inclusion proof verifies against the signed root.
        var events = (await _api.Get($"/api/claims/{claims[2]}/events", LedgerApi.Auditor)).Json.EnumerateArray().ToList();
        events.Count.ShouldBe(2);
        foreach (var e in events)
        {
            var leafIndex = e.GetProperty("leafIndex").GetInt64();
            var proof = await _api.Get($"/api/audit/proofs/inclusion?leafIndex={leafIndex}&treeSize={head.TreeSize}", LedgerApi.Auditor);
            proof.Status.ShouldBe(200, proof.Body);
            proof.Json.GetProperty("leafHash").GetString().ShouldBe(e.GetProperty("leafHash").GetString());
            MerkleTree.VerifyInclusion(leafIndex, head.TreeSize, Unhex(proof.Json.GetProperty("leafHash")),
                proof.Json.GetProperty("auditPath").EnumerateArray().Select(Unhex).ToList(), Convert.FromHexString(head.RootHash)).ShouldBeTrue();
        }

        // The proofs agree with a tree computed independently from the events themselves.
        var leaves = new List<byte[]>();
        await using (var conn = new NpgsqlConnection(_api.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select stream_id, version, type, data::text, user_name, timestamp from claimledger.mt_events order by seq_id", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                leaves.Add(new LeafContent(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    LeafContent.FormatTime(reader.GetFieldValue<DateTimeOffset>(5))).LeafHash());
        }
        var independent = new MemoryMerkleTree(leaves);
        LeafContent.Hex(independent.Tree.Root(head.TreeSize)).ShouldBe(head.RootHash);

        var consistency = await _api.Get($"/api/audit/proofs/consistency?from=3&to={head.TreeSize}", LedgerApi.Auditor);
        consistency.Status.ShouldBe(200, consistency.Body);
        MerkleTree.VerifyConsistency(3, head.TreeSize, independent.Tree.Root(3), Convert.FromHexString(head.RootHash),
            consistency.Json.GetProperty("proof").EnumerateArray().Select(Unhex).ToList()).ShouldBeTrue();
    }

    [Theory]
    [InlineData("/api/audit/proofs/inclusion", "leafIndex")]
    [InlineData("/api/audit/proofs/inclusion?leafIndex=x", "leafIndex")]
    [InlineData("/api/audit/proofs/inclusion?leafIndex=0&treeSize=999999", "treeSize")]
    [InlineData("/api/audit/proofs/inclusion?leafIndex=50&treeSize=3", "leafIndex")]
    [InlineData("/api/audit/proofs/consistency", "from")]
    [InlineData("/api/audit/proofs/consistency?from=0&to=3", "from")]
    [InlineData("/api/audit/proofs/consistency?from=4&to=3", "from")]
    [InlineData("/api/audit/proofs/consistency?from=1&to=999999", "to")]
    [InlineData("/api/audit/verify?from=-1", "from")]
    [InlineData("/api/audit/verify?from=9&to=3", "from")]
    public async Task Bad_proof_and_verify_parameters_are_400(string path, string field)
    {
        await _api.SeedAsync(2);
        var r = await _api.Get(path, LedgerApi.Auditor);
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task Auditors_verify_and_export_and_others_may_not()
    {
        await _api.SeedAsync(2);
        foreach (var path in new[] { "/api/audit/verify", "/api/export/events", "/api/export/claimreview" })
        {
            (await _api.Get(path, LedgerApi.Auditor)).Status.ShouldBe(200, path);
            (await _api.Get(path, LedgerApi.Checker)).Status.ShouldBe(403, path);
            (await _api.Get(path, LedgerApi.Admin)).Status.ShouldBe(403, path);
            (await _api.Get(path, null)).Status.ShouldBe(401, path);
        }
    }

    /// <summary>
    /// The case that makes sequencers skip events: a transaction draws a lower sequence number but commits after one
    /// that drew a higher number — and its transaction id is above the last completed one, so a snapshot's list of
    /// running transactions does not even show it. The sequencer must wait, then take both, in order.
    /// </summary>
    [Fact]
    public async Task A_lower_sequence_that_commits_late_is_waited_for_not_skipped()
    {
        await _api.SeedAsync(1);
        var stream = Guid.NewGuid();
        await _api.ExecuteAsync($"insert into claimledger.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived) values ('{stream}', null, 2, now(), now(), '*DEFAULT*', false)");

        await using var early = new NpgsqlConnection(_api.ConnectionString);
        await using var late = new NpgsqlConnection(_api.ConnectionString);
        await early.OpenAsync();
        await late.OpenAsync();
        async Task<long> Scalar(NpgsqlConnection c, string sql) { await using var cmd = new NpgsqlCommand(sql, c); return Convert.ToInt64(await cmd.ExecuteScalarAsync()); }
        async Task Exec(NpgsqlConnection c, string sql) { await using var cmd = new NpgsqlCommand(sql, c); await cmd.ExecuteNonQueryAsync(); }
        string Insert(long seq, int version) =>
            "insert into claimledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, user_name, is_archived) " +
            $"values ({seq}, gen_random_uuid(), '{stream}', {version}, '{{\"reason\": \"r{version}\"}}', 'claim_retracted', now(), '*DEFAULT*', null, 'raw', false)";

        await Exec(early, "begin"); await Exec(late, "begin");
        await Scalar(early, "select pg_current_xact_id()::text::bigint");            // the committer gets the lower id…
        await Scalar(late, "select pg_current_xact_id()::text::bigint");             // …the straggler the higher one
        var lower = await Scalar(late, "select nextval('claimledger.mt_events_sequence')");
        var higher = await Scalar(early, "select nextval('claimledger.mt_events_sequence')");
        await Exec(early, Insert(higher, 2));
        await Exec(early, "commit");

        await Task.Delay(1500);
        (await _api.ScalarAsync("select count(*) from claimledger.ledger_leaves where seq_id = @s", ("s", higher))).ShouldBe(0, "it stepped over an event still in flight");

        await Exec(late, Insert(lower, 1));
        await Exec(late, "commit");
        await _api.SettleAsync();
        var lowerLeaf = await _api.ScalarAsync("select leaf_index from claimledger.ledger_leaves where seq_id = @s", ("s", lower));
        var higherLeaf = await _api.ScalarAsync("select leaf_index from claimledger.ledger_leaves where seq_id = @s", ("s", higher));
        higherLeaf.ShouldBe(lowerLeaf + 1);
        (await _api.Get("/api/audit/verify", LedgerApi.Auditor)).Json.GetProperty("ok").GetBoolean().ShouldBeTrue();
    }
}
