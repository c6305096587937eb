using ClaimLedger.Access;
using ClaimLedger.Hosting;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Figures.Listing;

public static class ListFiguresEndpoint
{
    /// <summary>Figures, optionally filtered by metric, place and topic (exact, case-insensitive matches).</summary>
    [EndpointSummary("List figures, filtered by metric, place and topic")]
    [WolverineGet("/api/figures", Name = "ListFigures"), Authorize(Policy = Policies.Read)]
    [Tags("Figures")]
    [ProducesResponseType<IReadOnlyList<Figure>>(200)]
    public static async Task<IResult> Get(string? metric, string? place, string? topic, IQuerySession session, CancellationToken ct)
    {
        var query = session.Query<Figure>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(metric)) query = query.Where(f => f.Metric == metric.Trim());
        if (!string.IsNullOrWhiteSpace(place)) query = query.Where(f => f.Place != null && f.Place.ToLower() == place.Trim().ToLower());
        if (!string.IsNullOrWhiteSpace(topic)) query = query.Where(f => f.Topic != null && f.Topic.ToLower() == topic.Trim().ToLower());
        var figures = await query.OrderBy(f => f.DefinedAt).Take(1000).ToListAsync(ct);
        return Results.Json(figures, JsonSetup.Options);
    }
}
