using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using ClaimLedger.Storage;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.IntegrationTests.Throughput.Rebuilds;

/// <summary>
/// The history applies a range while the one before it is written (<see cref="RangePipeline"/>). A range applied on top
/// of one that then fails must never be written, and the history must resume from what was committed.
/// </summary>
public class RangePipelineTests : IAsyncLifetime
{
    private const string Shard = FigureHistoryProjection.Name + ":All";
    private LedgerApi _api = null!;

    // The host runs no daemon (it may not lead): the test runs the history itself, in ranges of five events.
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("range-pipeline", new Dictionary<string, string>
    {
        ["ClaimLedger:Nodes:CanLead"] = "false",
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_range_that_cannot_be_written_stops_the_history_before_it_and_it_resumes_from_there_once_it_can()
    {
        var source = await _api.Source();
        var figure = await _api.Figure();
        for (var i = 0; i < 40; i++) await _api.Claim(source, figure, 200 + i, $"originator {i % 3}");
        // A revision 20 already stored: the range that numbers it fails to write.
        await using (var session = _api.Store.LightweightSession())
        {
            DocumentRows.Insert(session, [new FigureRevision { Id = FigureRevision.IdFor(figure, 20), FigureId = figure, Revision = 20, Reason = "in the way" }], r => r.Id);
            await session.SaveChangesAsync();
        }

        var options = LedgerStore.For(_api.ConnectionString);
        options.Projections.All.OfType<RangePipeline>().Single(p => p.Name == FigureHistoryProjection.Name).Options.BatchSize = 5;
        using var store = new DocumentStore(options);
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAgentAsync(Shard, CancellationToken.None);
        await WaitUntilAsync(() => Task.FromResult(daemon.HasAnyPaused()), "the history to stop at the range it cannot write");

        var stopped = await RevisionsAsync(figure);
        stopped.ShouldNotBeEmpty();
        stopped.Max().ShouldBeLessThan(20, "nothing applied after the failed range may be written");
        stopped.ShouldBe(Enumerable.Range(1, stopped.Count).Select(n => (long)n));

        await _api.ExecuteAsync("delete from claimledger.mt_doc_figurerevision where data->>'reason' = 'in the way'");
        await daemon.StopAgentAsync(Shard);
        await daemon.StartAgentAsync(Shard, CancellationToken.None);
        await WaitUntilAsync(async () => await _api.ScalarAsync(FigureHistoryProjection.LagSql) <= 0, "the history to catch up");

        (await RevisionsAsync(figure)).ShouldBe(Enumerable.Range(1, 40).Select(n => (long)n));
        var resumed = await ClaimLedger.Reliability.ProjectionSnapshot.TakeAsync(_api.ConnectionString);
        await daemon.StopAllAsync();
        await daemon.RebuildProjectionAsync(FigureHistoryProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
        ClaimLedger.Reliability.ProjectionSnapshot.Compare(resumed, await ClaimLedger.Reliability.ProjectionSnapshot.TakeAsync(_api.ConnectionString)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_range_of_a_rebuild_says_how_long_it_was_applied_written_and_waited_for()
    {
        var source = await _api.Source();
        var figure = await _api.Figure();
        for (var i = 0; i < 30; i++) await _api.Claim(source, figure, 200 + i, $"originator {i % 3}");
        var ranges = (int)Math.Ceiling(await _api.ScalarAsync("select count(*) from claimledger.mt_events") / 5.0);

        // The meter is the process's: other tests' rebuilds of the history may add to the counts, never take away.
        using var stages = new ClaimLedger.Benchmarks.RangeStages(Shard);
        await _api.RebuildAsync(FigureHistoryProjection.Name,
            options => options.Projections.All.OfType<RangePipeline>().Single(p => p.Name == FigureHistoryProjection.Name).Options.BatchSize = 5);

        foreach (var stage in new[] { "applying", "writing", "waiting_for_events", "waiting_for_writer" })
            stages.Count(stage).ShouldBeGreaterThanOrEqualTo(ranges, $"one {stage} measurement per range");
        stages.Seconds("writing").ShouldBeGreaterThan(0);
    }

    private async Task<List<long>> RevisionsAsync(Guid figure)
    {
        await using var session = _api.Store.QuerySession();
        var stored = await session.Query<FigureRevision>().Where(r => r.FigureId == figure).ToListAsync();
        return stored.Where(r => r.Reason != "in the way").Select(r => r.Revision).Order().ToList();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited 60 s for {what}");
            await Task.Delay(100);
        }
    }
}
