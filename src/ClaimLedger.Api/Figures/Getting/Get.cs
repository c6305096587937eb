using ClaimLedger.Access;
using ClaimLedger.Figures.Picture;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Figures.Getting;

/// <summary>The contract's figure picture.</summary>
public sealed record FigurePictureView(
    Guid Id, string Title, string Metric, string Unit, string? Place, string? Topic, IReadOnlyList<FigureEntry> Current,
    FigureRange? Range, long RevisionCount, DateTimeOffset? LastChangedAt, DateTimeOffset? AsOf = null)
{
    public static FigurePictureView Of(FigurePicture p) =>
        new(p.Id, p.Title, p.Metric, p.Unit, p.Place, p.Topic, p.Current, p.Range, p.RevisionCount, p.LastChangedAt, p.AsOf);
}

public static class GetFigureEndpoint
{
    /// <summary>
    /// The current picture, or (<c>asOf=T</c>) the picture as the ledger stood at T: the last revision recorded at or
    /// before T, and each originator's entry as that revision left it.
    /// </summary>
    [EndpointSummary("The current picture of a figure, or as of a time")]
    [WolverineGet("/api/figures/{id}", Name = "GetFigure"), Authorize(Policy = Policies.Read)]
    [Tags("Figures")]
    [ProducesResponseType<FigurePictureView>(200)]
    [ProducesResponseType<Microsoft.AspNetCore.Mvc.ProblemDetails>(503, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, string? asOf, IQuerySession session, Revisions.HistoryCatchUp history, HttpContext http,
        CancellationToken ct)
    {
        DateTimeOffset at = default;
        if (asOf != null && !JsonSetup.TryParseAsOf(asOf, out at))
            return Problems.Result(400, "must be an ISO 8601 time with an offset, such as 2024-11-29T10:00:00Z", "asOf");
        var picture = await session.LoadAsync<FigurePicture>(id, ct);
        if (picture is null) return Problems.NotFound("figure", id);
        if (asOf is null) return Results.Json(FigurePictureView.Of(picture), JsonSetup.Options);

        var figure = await session.LoadAsync<Figure>(id, ct);
        if (figure is null || figure.DefinedAt > at)
            return Problems.Result(404, $"the figure {id} was not yet defined at {at:O}", "asOf");
        // As-of answers replay the history, which trails the picture: wait for the revisions the picture counts.
        if (!await history.WaitForAsync(session, id, picture.RevisionCount, 0, ct)) return Revisions.HistoryCatchUp.Behind(http, picture);
        return Results.Json(FigurePictureView.Of(await AsOfAsync(session, picture, at, ct)), JsonSetup.Options);
    }

    public static async Task<FigurePicture> AsOfAsync(IQuerySession session, FigurePicture now, DateTimeOffset at, CancellationToken ct)
    {
        var last = await session.Query<FigureRevision>()
            .Where(r => r.FigureId == now.Id && r.RecordedAt <= at)
            .OrderByDescending(r => r.RecordedAt).ThenByDescending(r => r.Revision)
            .FirstOrDefaultAsync(ct);
        var revision = last?.Revision ?? 0;
        var entries = new List<FigureEntry>();
        if (revision > 0 && now.OriginatorKeys.Count > 0)
        {
            // One round trip: per originator, the latest change to its entry at or before that revision, carried by a
            // revision or (a second originator's, or a history written before revisions carried entries) a change of its own.
            var batch = session.CreateBatchQuery();
            var lookups = now.OriginatorKeys.Select(key => (
                InRevision: batch.Query<FigureRevision>()
                    .Where(r => r.FigureId == now.Id && r.EntryKey == key && r.Revision <= revision)
                    .OrderByDescending(r => r.Revision).FirstOrDefault(),
                OfItsOwn: batch.Query<FigureEntryChange>()
                    .Where(c => c.FigureId == now.Id && c.OriginatorKey == key && c.Revision <= revision)
                    .OrderByDescending(c => c.Revision).FirstOrDefault())).ToList();
            await batch.Execute(ct);
            foreach (var (inRevision, ofItsOwn) in lookups)
            {
                var (fromRevision, fromChange) = (await inRevision, await ofItsOwn);
                var entry = fromChange is null || fromRevision?.Revision > fromChange.Revision ? fromRevision?.Entry : fromChange.Entry;
                if (entry != null) entries.Add(entry);
            }
        }
        var picture = now with { Current = [], Range = null, RevisionCount = revision, LastChangedAt = last?.RecordedAt, AsOf = at };
        foreach (var entry in entries) picture = picture.WithEntry(FigureClaim.KeyOf(entry.AttributedTo), entry);
        return picture;
    }
}
