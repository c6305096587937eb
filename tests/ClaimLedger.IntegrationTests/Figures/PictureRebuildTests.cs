using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Support;
using JasperFx.Events.Projections;

namespace ClaimLedger.IntegrationTests.Figures;

/// <summary>
/// A rebuild of the figure pictures applies the next range while the one before is still being written
/// (<see cref="RangePipeline"/>): pictures and claims whose events span ranges must come back exactly as the writes left
/// them, including an originator's entry that falls back to an older claim and a claim moved to another originator.
/// </summary>
public class PictureRebuildTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("picture-rebuild");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_rebuild_in_small_ranges_gives_back_every_picture_and_figure_claim_as_the_writes_left_them()
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
        // The history follows in the API's daemon: once it has caught up, nothing but the rebuild writes.
        await _api.WaitForProjectionsAsync();
        var live = await ClaimLedger.Reliability.ProjectionSnapshot.TakeAsync(_api.ConnectionString);
        live["mt_doc_figureclaim"].Count.ShouldBe(claims.Count);
        live["mt_doc_figurepicture"].Count.ShouldBe(figures.Length);
        live["mt_doc_figureclaim"].Values.Count(c => c.Contains("\"standing\": false")).ShouldBe(claims.Count / 2);

        // Ranges of twelve events: a figure's next change comes at most two events later, often in the next range,
        // while the one before is still waiting to be written.
        await _api.RebuildAsync(FigurePictureProjection.Name,
            options => options.Projections.All.OfType<ProjectionBase>().Single(p => p.Name == FigurePictureProjection.Name).Options.BatchSize = 12);

        var rebuilt = await ClaimLedger.Reliability.ProjectionSnapshot.TakeAsync(_api.ConnectionString);
        ClaimLedger.Reliability.ProjectionSnapshot.Compare(live, rebuilt).ShouldBeEmpty();
    }
}
