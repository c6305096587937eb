using ClaimLedger.Claims;
using ClaimLedger.Figures;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>A page of revisions at depth 0 and at the mode's depth, of a figure whose revisions were written directly.</summary>
    private async Task RevisionPageReadsAsync()
    {
        var deep = mode.RevisionDepth;
        var revisionFigure = await FigureWithRevisionsAsync(deep);
        _syntheticRevisions = revisionFigure;
        await QuiesceAsync();
        var shallow = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/figures/{revisionFigure}/revisions?limit=100"));
        var cursor = ClaimLedger.Figures.Revisions.GetRevisionsEndpoint.Cursor.Write(revisionFigure, deep - 100);
        var deepPage = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/figures/{revisionFigure}/revisions?limit=100&after={cursor}"));
        Add("Reads", "revisions page (100) at depth 0, p50", shallow.P50, "ms");
        Add("Reads", $"revisions page (100) at depth {deep:N0}, p50", deepPage.P50, "ms", "≤ 2 × depth 0", deepPage.P50 <= 2 * shallow.P50,
            $"ratio {deepPage.P50 / shallow.P50:0.00}; p99 {shallow.P99:0.0} → {deepPage.P99:0.0} ms");
    }

    private async Task<Guid> FigureWithRevisionsAsync(long depth)
    {
        var figure = Guid.CreateVersion7();
        await using (var s = _store.LightweightSession())
        {
            s.Events.StartStream<Figure>(figure, new FigureDefined(figure, "Revisions", "deaths", "people", null, null));
            await s.SaveChangesAsync();
        }
        var claim = Guid.CreateVersion7();
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        for (long from = 1; from <= depth; from += 50_000)
        {
            var chunk = new List<FigureRevision>();
            for (var r = from; r < from + 50_000 && r <= depth; r++)
                chunk.Add(new FigureRevision
                {
                    Id = FigureRevision.IdFor(figure, r), FigureId = figure, Revision = r, RecordedAt = at.AddMilliseconds(r), Actor = "bench",
                    ClaimId = claim, AttributedTo = "OSDH", Change = RevisionChange.EvidenceAttached, Value = new ClaimValue(242, Bound.AtLeast),
                    Status = ClaimStatus.UnderReview, SourceId = claim, Reason = "bench",
                });
            await _store.BulkInsertAsync(chunk, Weasel.Core.BulkInsertMode.InsertsOnly);
        }
        await ExecAsync("analyze claimledger.mt_doc_figurerevision");
        return figure;
    }
}
