using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>Each tampering done with plain SQL behind the API's back, each caught by verification, naming the first broken leaf.</summary>
public class TamperingTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    public async Task InitializeAsync()
    {
        _api = await LedgerApi.StartAsync("tamper");
        await _api.SeedAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<System.Text.Json.JsonElement> VerifyAsync()
    {
        var r = await _api.Get("/api/audit/verify", LedgerApi.Auditor);
        r.Status.ShouldBe(200, r.Body);
        return r.Json;
    }

    private Task<long> LeafOfSequence(long seq) => _api.ScalarAsync("select leaf_index from claimledger.ledger_leaves where seq_id = @s", ("s", seq));
    private Task<long> SequenceAt(int position) => _api.ScalarAsync($"select seq_id from claimledger.mt_events order by seq_id offset {position} limit 1");

    [Fact]
    public async Task An_untouched_ledger_verifies()
    {
        var report = await VerifyAsync();
        report.GetProperty("ok").GetBoolean().ShouldBeTrue();
        report.TryGetProperty("firstBroken", out _).ShouldBeFalse();
        report.GetProperty("checkpoint").GetProperty("treeSize").GetInt64().ShouldBe(report.GetProperty("treeSize").GetInt64());
    }

    [Fact]
    public async Task An_edited_event_is_found()
    {
        var seq = await SequenceAt(5);
        await _api.ExecuteAsync($"update claimledger.mt_events set data = jsonb_set(data, '{{note}}', '\"edited\"') where seq_id = {seq}");
        var report = await VerifyAsync();
        report.GetProperty("ok").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBroken").GetProperty("leafIndex").GetInt64().ShouldBe(await LeafOfSequence(seq));
        report.GetProperty("firstBroken").GetProperty("reason").GetString()!.ShouldContain("changed");
    }

    [Fact]
    public async Task An_edited_actor_or_time_is_found()
    {
        var seq = await SequenceAt(4);
        await _api.ExecuteAsync($"update claimledger.mt_events set user_name = 'someone-else' where seq_id = {seq}");
        (await VerifyAsync()).GetProperty("firstBroken").GetProperty("leafIndex").GetInt64().ShouldBe(await LeafOfSequence(seq));
    }

    [Fact]
    public async Task A_deleted_event_is_found()
    {
        var seq = await SequenceAt(3);
        var leaf = await LeafOfSequence(seq);
        await _api.ExecuteAsync($"delete from claimledger.mt_events where seq_id = {seq}");
        var broken = (await VerifyAsync()).GetProperty("firstBroken");
        broken.GetProperty("leafIndex").GetInt64().ShouldBe(leaf);
        broken.GetProperty("reason").GetString()!.ShouldContain("deleted");
    }

    [Fact]
    public async Task An_inserted_event_is_found()
    {
        var seq = await SequenceAt(6);
        var leaf = await LeafOfSequence(seq);
        // Slipped in between two recorded events, with a free sequence number below the tree's frontier.
        var free = await _api.ScalarAsync($"select min(s) from generate_series(0, {seq}) s where not exists (select 1 from claimledger.mt_events where seq_id = s)");
        free.ShouldBeLessThan(seq, "the store must have a free sequence number to slip an event into");
        await _api.ExecuteAsync(
            "insert into claimledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, user_name, is_archived) " +
            $"select {free}, gen_random_uuid(), stream_id, 999, data, type, timestamp, tenant_id, mt_dotnet_type, 'intruder', false " +
            $"from claimledger.mt_events where seq_id = {seq}");
        var broken = (await VerifyAsync()).GetProperty("firstBroken");
        broken.GetProperty("reason").GetString()!.ShouldContain("not in the tree");
        broken.GetProperty("version").GetInt64().ShouldBe(999);
        broken.GetProperty("leafIndex").GetInt64().ShouldBeLessThanOrEqualTo(leaf);
    }

    [Fact]
    public async Task Reordered_events_are_found()
    {
        var a = await SequenceAt(2);
        var b = await SequenceAt(7);
        await _api.ExecuteAsync(
            $"update claimledger.mt_events set seq_id = -1 where seq_id = {a}; " +
            $"update claimledger.mt_events set seq_id = {a} where seq_id = {b}; " +
            $"update claimledger.mt_events set seq_id = {b} where seq_id = -1;");
        var broken = (await VerifyAsync()).GetProperty("firstBroken");
        broken.GetProperty("leafIndex").GetInt64().ShouldBe(await LeafOfSequence(a));
    }

    [Fact]
    public async Task An_event_missing_from_the_tree_is_found()
    {
        var seq = await SequenceAt(8);
        var leaf = await LeafOfSequence(seq);
        await _api.ExecuteAsync($"delete from claimledger.ledger_leaves where seq_id = {seq}");
        var broken = (await VerifyAsync()).GetProperty("firstBroken");
        broken.GetProperty("leafIndex").GetInt64().ShouldBe(leaf);
    }

    [Fact]
    public async Task A_checkpoint_with_a_forged_signature_is_found()
    {
        await _api.ExecuteAsync("update claimledger.ledger_checkpoints set signature = decode(repeat('00', 70), 'hex') where tree_size = (select max(tree_size) from claimledger.ledger_checkpoints)");
        var report = await VerifyAsync();
        report.GetProperty("ok").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBroken").GetProperty("reason").GetString()!.ShouldContain("signature");
    }

    [Fact]
    public async Task A_checkpoint_whose_root_does_not_match_is_found()
    {
        await _api.ExecuteAsync("update claimledger.ledger_checkpoints set root_hash = sha256('forged') where tree_size = (select max(tree_size) from claimledger.ledger_checkpoints)");
        var report = await VerifyAsync();
        report.GetProperty("ok").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBroken").GetProperty("reason").GetString()!.ShouldContain("root");
    }

    [Fact]
    public async Task An_edit_that_also_rewrites_the_leaf_is_still_caught_by_the_signed_root()
    {
        var seq = await SequenceAt(5);
        await _api.ExecuteAsync($"update claimledger.mt_events set data = jsonb_set(data, '{{note}}', '\"edited\"') where seq_id = {seq}");
        // Recompute the leaf as a careful forger would, so the leaf table agrees with the edited event.
        var content = await ContentAt(seq);
        await _api.ExecuteAsync($"update claimledger.ledger_leaves set leaf_hash = decode('{ClaimLedger.Audit.LeafContent.Hex(content.LeafHash())}', 'hex') where seq_id = {seq}");
        var report = await VerifyAsync();
        report.GetProperty("ok").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBroken").GetProperty("reason").GetString()!.ShouldContain("root");
    }

    private async Task<ClaimLedger.Audit.LeafContent> ContentAt(long seq)
    {
        await using var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"select stream_id, version, type, data::text, user_name, timestamp from claimledger.mt_events where seq_id = {seq}", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return new ClaimLedger.Audit.LeafContent(r.GetGuid(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4),
            ClaimLedger.Audit.LeafContent.FormatTime(r.GetFieldValue<DateTimeOffset>(5)));
    }
}

/// <summary>
/// A ledger of several of the verifier's pages (it reads one page while it hashes the one before, in two arrays it
/// reuses): every event is checked once, and an edit on a later page is found at its own leaf.
/// </summary>
public class ManyPagesTamperingTests : IAsyncLifetime
{
    private const int Events = 2 * ClaimLedger.Audit.LedgerVerifier.PageSize + 700;
    private LedgerApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = await LedgerApi.StartAsync("tamper-pages");
        await using (var session = _api.Store.LightweightSession())
        {
            for (var i = 0; i < Events; i++)
            {
                var figure = Guid.CreateVersion7();
                session.Events.StartStream<ClaimLedger.Figures.Figure>(figure,
                    new ClaimLedger.Figures.FigureDefined(figure, $"Figure {i}", "deaths", "people", null, null));
            }
            await session.SaveChangesAsync();
        }
        await _api.SettleAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Every_page_is_checked_and_an_edit_on_a_later_page_is_found_at_its_leaf()
    {
        var untouched = await _api.Get("/api/audit/verify", LedgerApi.Auditor);
        untouched.Status.ShouldBe(200, untouched.Body);
        untouched.Json.GetProperty("ok").GetBoolean().ShouldBeTrue(untouched.Body);
        var recorded = await _api.ScalarAsync($"select count(*) from claimledger.mt_events where {ClaimLedger.Audit.LedgerSchema.IsRecord}");
        recorded.ShouldBeGreaterThanOrEqualTo(Events);
        untouched.Json.GetProperty("eventsChecked").GetInt64().ShouldBe(recorded);

        var seq = await _api.ScalarAsync($"select seq_id from claimledger.mt_events order by seq_id offset {Events - 300} limit 1");
        await _api.ExecuteAsync($"update claimledger.mt_events set data = jsonb_set(data, '{{title}}', '\"edited\"') where seq_id = {seq}");
        var edited = await _api.Get("/api/audit/verify", LedgerApi.Auditor);
        edited.Json.GetProperty("ok").GetBoolean().ShouldBeFalse(edited.Body);
        edited.Json.GetProperty("firstBroken").GetProperty("leafIndex").GetInt64()
            .ShouldBe(await _api.ScalarAsync("select leaf_index from claimledger.ledger_leaves where seq_id = @s", ("s", seq)));
        edited.Json.GetProperty("firstBroken").GetProperty("reason").GetString()!.ShouldContain("changed");
        edited.Json.GetProperty("eventsChecked").GetInt64().ShouldBe(recorded);
    }
}
