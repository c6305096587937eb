using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Getting;

public static class GetClaimEndpoint
{
    /// <summary>
    /// The claim now, or as it stood at a version (<c>version=N</c>) or at a recorded time (<c>asOf=T</c>, ISO 8601):
    /// as-of answers come from the events recorded at or before T.
    /// </summary>
    [EndpointSummary("Get a claim, now or as of a version or a time")]
    [WolverineGet("/api/claims/{id}", Name = "GetClaim"), Authorize(Policy = Policies.Read)]
    [Tags("Claims")]
    [ProducesResponseType<Claim>(200)]
    public static async Task<IResult> Get(Guid id, string? asOf, string? version, IQuerySession session, IDocumentStore store, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (asOf != null && version != null)
            return Problems.Result(400, "give asOf or version, not both", "asOf");
        Claim? claim;
        if (version != null)
        {
            if (!long.TryParse(version, System.Globalization.NumberStyles.None, null, out var v) || v < 1)
                return Problems.Result(400, "must be a positive whole number", "version");
            var latest = await session.LoadAsync<Claim>(id, ct);
            if (latest != null && latest.Version < v)
                return Problems.Result(404, $"the claim {id} has no version {v} (its latest is {latest.Version})", "version");
            claim = latest is null ? null : latest.Version == v ? latest : await TimeTravel.ClaimHistory.AtVersionAsync(store, session, id, v, ct);
        }
        else if (asOf != null)
        {
            if (!JsonSetup.TryParseAsOf(asOf, out var at))
                return Problems.Result(400, "must be an ISO 8601 time with an offset, such as 2024-11-29T10:00:00Z", "asOf");
            var latest = await session.LoadAsync<Claim>(id, ct);
            var v = latest is null ? null : await TimeTravel.ClaimHistory.VersionAtAsync(session, id, at, ct);
            if (latest != null && v is null)
                return Problems.Result(404, $"the claim {id} was not yet recorded at {at:O}", "asOf");
            claim = latest is null ? null : v == latest.Version ? latest : await TimeTravel.ClaimHistory.AtVersionAsync(store, session, id, v!.Value, ct);
        }
        else claim = await session.LoadAsync<Claim>(id, ct);

        if (claim is null) return Problems.NotFound("claim", id);
        http.Response.Headers.ETag = ETags.Format(claim.Version);
        return Results.Json(claim, JsonSetup.Options);
    }
}
