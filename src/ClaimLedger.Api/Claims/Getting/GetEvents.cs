using System.Text.Json;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Getting;

/// <summary>
/// One event of a claim with its provenance: who recorded it, when, and where it stands in the global log. Once it is a
/// leaf: its index, its hash, and <c>leafContent</c>, the base64 of the canonical JSON the leaf commits to, made from the
/// event as it is stored now, so that anyone can check <c>leafHash = SHA-256(0x00 || leafContent)</c> (RFC 6962's leaf
/// hash) and see a changed event fail it.
/// </summary>
public sealed record ClaimEventView(
    long Version, long Sequence, string Type, string Actor, DateTimeOffset RecordedAt, JsonElement Data,
    long? LeafIndex = null, string? LeafHash = null, string? LeafContent = null);

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
        var views = events.Select(e =>
        {
            var view = new ClaimEventView(e.Version, e.Sequence, e.EventTypeName, e.UserName ?? "", e.Timestamp,
                JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), JsonSetup.Options));
            return leaves.TryGetValue(e.Sequence, out var leaf) ? view with { LeafIndex = leaf.Index, LeafHash = leaf.Hash, LeafContent = leaf.Content } : view;
        }).ToList();
        return Results.Json(views, JsonSetup.Options);
    }

    /// <summary>
    /// Where the events stand in the Merkle log, once the sequencer has put them there, and what each leaf commits to, made
    /// from the event's row as it is now (the columns and the canonical form the sequencer hashed).
    /// </summary>
    private static async Task<Dictionary<long, (long Index, string Hash, string Content)>> LeavesAsync(Npgsql.NpgsqlDataSource dataSource,
        long[] sequences, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The leaf's columns come from a lateral subquery, so that the event's columns are named as the sequencer names them.
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"select {Audit.LeafContent.EventColumns}, leaf.leaf_index, leaf.leaf_hash from {Audit.LedgerSchema.Events} " +
            $"cross join lateral (select leaf_index, leaf_hash from {Audit.LedgerSchema.Leaves} l where l.seq_id = {Audit.LedgerSchema.Events}.seq_id) leaf " +
            "where seq_id = any(@s)", conn);
        cmd.Parameters.AddWithValue("s", sequences);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var leaves = new Dictionary<long, (long, string, string)>();
        while (await reader.ReadAsync(ct))
        {
            var (seq, content) = Audit.LeafContent.Read(reader);
            leaves[seq] = (reader.GetInt64(reader.GetOrdinal("leaf_index")), Audit.LeafContent.Hex((byte[])reader["leaf_hash"]),
                Convert.ToBase64String(content.CanonicalJson()));
        }
        return leaves;
    }
}
