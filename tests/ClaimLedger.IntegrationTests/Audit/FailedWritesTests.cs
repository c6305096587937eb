using ClaimLedger.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>
/// A write that is refused, or that loses a race, leaves nothing an auditor would see as a record: every leaf of the
/// ledger, and every line of its export, is an event somebody recorded.
/// </summary>
public class FailedWritesTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("failed-writes");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    private const string Placeholders = "select count(*) from claimledger.mt_events where type = 'tombstone'";
    private const string LeavesWithoutActor =
        "select count(*) from claimledger.ledger_leaves l join claimledger.mt_events e on e.seq_id = l.seq_id where coalesce(e.user_name, '') = ''";

    [Fact]
    public async Task Twenty_racing_submissions_with_one_key_append_one_event_and_no_placeholder()
    {
        var source = await _api.Source();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" }, headers: key)));

        responses.ShouldAllBe(r => r.Status == 201, string.Join("\n", responses.Select(r => r.ToString())));
        responses.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        (await _api.ScalarAsync("select count(*) from claimledger.mt_events where type = 'claim_submitted'")).ShouldBe(1);
        (await _api.ScalarAsync(Placeholders)).ShouldBe(0);
        await _api.SettleAsync();
        (await _api.ScalarAsync(LeavesWithoutActor)).ShouldBe(0);
    }

    /// <summary>
    /// A write PostgreSQL refuses after its events drew their sequence numbers: Marten fills the numbers with placeholder
    /// events (tombstones). They become no leaf, no line of the export, and verification still passes.
    /// </summary>
    [Fact]
    public async Task Placeholders_of_a_failed_append_are_neither_leaves_nor_exported()
    {
        var source = await _api.Source();
        await _api.ExecuteAsync("""
            create function claimledger.refuse_for_the_test() returns trigger language plpgsql as $$
            begin raise exception 'refused for the test'; end $$;
            create trigger refuse_for_the_test before insert on claimledger.mt_doc_idempotentresponse
                for each row execute function claimledger.refuse_for_the_test();
            """);
        var failed = await _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" },
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        failed.Status.ShouldBeGreaterThanOrEqualTo(500);
        await _api.ExecuteAsync("drop trigger refuse_for_the_test on claimledger.mt_doc_idempotentresponse");
        await WaitUntilAsync(async () => await _api.ScalarAsync(Placeholders) > 0, "Marten to fill the failed append's numbers");
        await _api.Claim(source);

        await _api.SettleAsync();
        (await _api.ScalarAsync(LeavesWithoutActor)).ShouldBe(0);
        (await _api.ScalarAsync(
            "select count(*) from claimledger.ledger_leaves l join claimledger.mt_events e on e.seq_id = l.seq_id where e.type = 'tombstone'")).ShouldBe(0);
        (await _api.ScalarAsync(LedgerSchema.LagSql)).ShouldBe(0);
        var export = await _api.Get("/api/export/events", LedgerApi.Auditor);
        export.Body.ShouldNotContain("tombstone");
        var lines = export.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe((int)await _api.ScalarAsync("select count(*) from claimledger.ledger_leaves"));
        var report = await _api.Get("/api/audit/verify", LedgerApi.Auditor);
        report.Json.GetProperty("ok").GetBoolean().ShouldBeTrue(report.Body);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited 20 s for {what}");
            await Task.Delay(100);
        }
    }
}
