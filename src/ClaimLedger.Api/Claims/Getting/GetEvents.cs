using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Hosting;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Claims.Getting;

/// <summary>One event of a claim with its provenance: who recorded it, when, and where it stands in the global log.</summary>
public sealed record ClaimEventView(
    long Version, long Sequence, string Type, string Actor, DateTimeOffset RecordedAt, JsonElement Data,
    long? LeafIndex = null, string? LeafHash = null);

public static class GetClaimEventsEndpoint
{
    [EndpointSummary("Every event of a claim with its provenance")]
    [WolverineGet("/api/claims/{id}/events", Name = "GetClaimEvents"), Authorize(Policy = Policies.Read)]
    [Tags("Claims")]
    [ProducesResponseType<IReadOnlyList<ClaimEventView>>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not ClaimSubmitted) return Problems.NotFound("claim", id);
        var views = events.Select(e => new ClaimEventView(
            e.Version, e.Sequence, e.EventTypeName, e.UserName ?? "", e.Timestamp,
            JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), JsonSetup.Options))).ToList();
        return Results.Json(views, JsonSetup.Options);
    }
}
