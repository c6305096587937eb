using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Reliability;
using ClaimLedger.Throughput.Rebuilds;
using JasperFx.Events.Projections;
using Marten;

namespace ClaimLedger.IntegrationTests.Throughput.Rebuilds;

/// <summary>
/// The revision history runs on the faster path (<see cref="RangePipeline"/> with <see cref="CarriedFigures"/>: the next
/// range applied while the one before is still being written, each range's documents in a few multi-row statements).
/// Pinned to Marten's own: over the same events, Marten's own execution of the same projection and the faster one must
/// leave every document identical — revisions, entry changes, and the history's own pictures and claims — including an
/// originator's entry that falls back to an older claim and a claim moved to another originator.
/// </summary>
public class FigureRebuildPathTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    // The host runs no daemon (it may not lead): only the test's rebuilds write the history.
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("figure-rebuild-path", new Dictionary<string, string>
    {
        ["ClaimLedger:Nodes:CanLead"] = "false",
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task The_faster_history_leaves_every_document_as_Marten_s_own_execution_does()
    {
        var source = await _api.Source();
        var figures = new[] { await _api.Figure(), await _api.Figure() };
        var claims = new List<Guid>();
        for (var i = 0; i < 10; i++) claims.Add(await _api.Claim(source, figures[i % 2], 200 + i, $"originator {i % 3}"));
        await _api.WriteInTurnAsync(claims, rounds: 5, (round, i, path) => round switch
        {
            0 => _api.Post($"{path}/evidence", new { sourceId = source, stance = "supports", note = $"round {round}" }),
            1 => _api.Post($"{path}/disputes", new { reason = $"round {round}" }, LedgerApi.OtherChecker),
            2 => _api.ResolveOpenDispute(claims[i]),
            // Every claim moves to another originator: its old originator's entry goes to the next claim, or none.
            3 => _api.Post($"{path}/corrections", new { attributedTo = "SOHR", reason = $"round {round}" }),
            // A false verdict stops a claim standing: when it was its originator's entry, an older claim takes it.
            _ => _api.Post($"{path}/verdict", new { verdict = i % 2 == 0 ? "false" : "misleading", note = $"round {round}" }, LedgerApi.Reviewer),
        });

        await _api.RebuildAsync(FigureHistoryProjection.Name, o => Ranges(o, 12), RebuildPath.Marten);
        var martens = await ProjectionSnapshot.TakeAsync(_api.ConnectionString);
        // Marten's own execution kept every revision the inline pictures counted, figure by figure.
        martens["mt_doc_figurerevision"].Count.ShouldBe(10 * 6);
        (await _api.ScalarAsync("select count(*) from claimledger.mt_doc_figurepicture p join claimledger.mt_doc_figurehistorypicture h on h.id = p.id " +
                                "where (p.data->>'revisionCount') = (h.data->>'revisionCount')")).ShouldBe(figures.Length);
        martens["mt_doc_figureentrychange"].ShouldNotBeEmpty("corrections moved claims to another originator");

        // Ranges of twelve events: a figure's next change comes at most two events later, often in the next range, while
        // the one before is still waiting to be written.
        await _api.RebuildAsync(FigureHistoryProjection.Name, o => Ranges(o, 12));
        ProjectionSnapshot.Compare(martens, await ProjectionSnapshot.TakeAsync(_api.ConnectionString)).ShouldBeEmpty();
        // Ranges of one event: every change is applied while the range before it waits to be written.
        await _api.RebuildAsync(FigureHistoryProjection.Name, o => Ranges(o, 1));
        ProjectionSnapshot.Compare(martens, await ProjectionSnapshot.TakeAsync(_api.ConnectionString)).ShouldBeEmpty();
    }

    private static void Ranges(StoreOptions options, int events) =>
        options.Projections.All.OfType<ProjectionBase>().Single(p => p.Name == FigureHistoryProjection.Name).Options.BatchSize = events;
}
