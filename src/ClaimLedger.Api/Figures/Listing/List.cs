using ClaimLedger.Access;
using ClaimLedger.Figures.Picture;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Figures.Listing;

public sealed record FigureSummary(
    Guid Id, string Title, string Metric, string Unit, string? Place, string? Topic, FigureRange? Range,
    int Originators, long RevisionCount, DateTimeOffset? LastChangedAt);

public static class ListFiguresEndpoint
{
    /// <summary>Figures with their current range, filtered by metric, place and topic (case-insensitive, exact).</summary>
    [EndpointSummary("List figures with their current range, filtered by metric, place and topic")]
    [WolverineGet("/api/figures", Name = "ListFigures"), Authorize(Policy = Policies.Read)]
    [Tags("Figures")]
    [ProducesResponseType<IReadOnlyList<FigureSummary>>(200)]
    public static async Task<IResult> Get(string? metric, string? place, string? topic, IQuerySession session, CancellationToken ct)
    {
        foreach (var (field, value) in new[] { ("metric", metric), ("place", place), ("topic", topic) })
            if (value is { Length: > 300 } || value?.Any(char.IsControl) == true)
                return Problems.Result(400, "must be at most 300 characters, without control characters", field);
        // The definitions are filtered (their metric is indexed, and they never change); the pictures are then read by id.
        // Two round trips rather than Marten's Include: with Take, Include creates and drops a temporary table every call.
        var query = session.Query<Figure>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(metric)) query = query.Where(f => f.Metric == metric.Trim());
        if (!string.IsNullOrWhiteSpace(place)) query = query.Where(f => f.Place != null && f.Place.ToLower() == place.Trim().ToLower());
        if (!string.IsNullOrWhiteSpace(topic)) query = query.Where(f => f.Topic != null && f.Topic.ToLower() == topic.Trim().ToLower());
        var ids = await query.OrderBy(f => f.Title).ThenBy(f => f.Id).Take(1000).Select(f => f.Id).ToListAsync(ct);
        var pictures = (await session.LoadManyAsync<FigurePicture>(ct, ids)).ToDictionary(p => p.Id);
        // A figure's picture is written in the transaction that defines it: every listed definition has one.
        var figures = ids.Where(pictures.ContainsKey).Select(id => pictures[id]);
        return Results.Json(figures.Select(f => new FigureSummary(f.Id, f.Title, f.Metric, f.Unit, f.Place, f.Topic, f.Range,
            f.Current.Count, f.RevisionCount, f.LastChangedAt)), JsonSetup.Options);
    }
}
