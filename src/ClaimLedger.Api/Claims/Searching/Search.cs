using ClaimLedger.Access;
using ClaimLedger.Storage;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Searching;

public static class SearchClaimsEndpoint
{
    /// <summary>
    /// Claims most recently changed first, a page at a time (<c>after</c>: the previous page's <c>next</c>; <c>limit</c> 1–200,
    /// default 50). Filters combine: <c>status</c> (as the API writes it: <c>under_review</c>), <c>figureId</c>,
    /// <c>sourceId</c>, <c>attributedTo</c> (ignoring case and surrounding spaces), <c>submittedBy</c> (the user's name),
    /// and <c>q</c>: words found in the quote or the originator, ignoring case and accents (<c>armee</c> finds armée), each
    /// word the beginning of a word there (<c>alep</c> finds Alep and Aleppo), all of them in the same claim.
    /// </summary>
    [EndpointSummary("Find claims: filters, a search ignoring case and accents, most recently changed first, keyset-paged")]
    [WolverineGet("/api/claims", Name = "SearchClaims"), Authorize(Policy = Policies.Read)]
    [Tags("Claims")]
    [ProducesResponseType<ClaimPage>(200)]
    public static async Task<IResult> Get(string? status, string? figureId, string? sourceId, string? attributedTo, string? submittedBy,
        string? q, string? after, string? limit, ValuePlannedReads reads, CancellationToken ct)
    {
        var (query, problem) = ClaimQuery.Read(status, figureId, sourceId, attributedTo, submittedBy, q);
        if (problem != null) return problem;
        if (!Keyset.TryLimit(limit, out var take, out problem)) return problem!;
        if (!Keyset.TryAfter(after, ClaimQuery.CursorKind, "a list of claims", out var from, out problem)) return problem!;
        return Results.Json(await query!.PageAsync(reads, from, take, ct), JsonSetup.Options);
    }
}
