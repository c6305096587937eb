using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Sources.Getting;

public static class GetSourceEndpoint
{
    [EndpointSummary("Get a source with its full text")]
    [WolverineGet("/api/sources/{id}", Name = "GetSource"), Authorize(Policy = Policies.Read)]
    [Tags("Sources")]
    [ProducesResponseType<Source>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Source>(id, ct) is { } source
            ? Results.Json(source, JsonSetup.Options)
            : Problems.NotFound("source", id);
}
