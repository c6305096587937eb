using System.Text.Json;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

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
    public static async Task<IResult> Get(Guid id, IQuerySession session, Npgsql.NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not ClaimSubmitted) return Problems.NotFound("claim", id);
        var leaves = await LeavesAsync(dataSource, events.Select(e => e.Sequence).ToArray(), ct);
        var views = events.Select(e => new ClaimEventView(
            e.Version, e.Sequence, e.EventTypeName, e.UserName ?? "", e.Timestamp,
            JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), JsonSetup.Options),
            leaves.TryGetValue(e.Sequence, out var leaf) ? leaf.Index : null,
            leaves.TryGetValue(e.Sequence, out leaf) ? leaf.Hash : null)).ToList();
        return Results.Json(views, JsonSetup.Options);
    }

    /// <summary>Where the events stand in the Merkle log, once the sequencer has put them there.</summary>
    private static async Task<Dictionary<long, (long Index, string Hash)>> LeavesAsync(Npgsql.NpgsqlDataSource dataSource, long[] sequences, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"select seq_id, leaf_index, leaf_hash from {Audit.LedgerSchema.Leaves} where seq_id = any(@s)", conn);
        cmd.Parameters.AddWithValue("s", sequences);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var leaves = new Dictionary<long, (long, string)>();
        while (await reader.ReadAsync(ct)) leaves[reader.GetInt64(0)] = (reader.GetInt64(1), Audit.LeafContent.Hex((byte[])reader[2]));
        return leaves;
    }
}
