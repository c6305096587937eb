using ClaimLedger.Access;
using ClaimLedger.Claims.Searching;
using Marten;
using ClaimLedger.Storage;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Sources.Listing;

public static class ListSourceClaimsEndpoint
{
    /// <summary>The claims taken from a source, most recently changed first, keyset-paged as <c>GET /api/claims</c>.</summary>
    [EndpointSummary("The claims taken from a source, most recently changed first, keyset-paged")]
    [WolverineGet("/api/sources/{id}/claims", Name = "ListSourceClaims"), Authorize(Policy = Policies.Read)]
    [Tags("Sources")]
    [ProducesResponseType<ClaimPage>(200)]
    public static async Task<IResult> Get(Guid id, string? after, string? limit, IQuerySession session, ValuePlannedReads reads, CancellationToken ct)
    {
        if (!Keyset.TryLimit(limit, out var take, out var problem)) return problem!;
        if (!Keyset.TryAfter(after, ClaimQuery.CursorKind, "a list of claims", out var from, out problem)) return problem!;
        if (await session.LoadAsync<SourceSummary>(id, ct) is null) return Problems.NotFound("source", id);
        var query = new ClaimQuery([], [ClaimSummary.SourceFilter(id)]);
        return Results.Json(await query.PageAsync(reads, from, take, ct), JsonSetup.Options);
    }
}
