using ClaimLedger.Access;
using ClaimLedger.Hosting;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Figures.Getting;

public static class GetFigureEndpoint
{
    [EndpointSummary("Get a figure")]
    [WolverineGet("/api/figures/{id}", Name = "GetFigure"), Authorize(Policy = Policies.Read)]
    [Tags("Figures")]
    [ProducesResponseType<Figure>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Figure>(id, ct) is { } figure
            ? Results.Json(figure, JsonSetup.Options)
            : Problems.NotFound("figure", id);
}
