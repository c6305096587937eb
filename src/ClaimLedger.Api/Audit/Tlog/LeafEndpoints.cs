using System.Globalization;
using ClaimLedger.Access;
using ClaimLedger.Web;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace ClaimLedger.Audit.Tlog;

/// <summary>One leaf: the exact bytes whose RFC 6962 leaf hash is in the tree (base64), and the event they come from.</summary>
public sealed record Leaf(long LeafIndex, string LeafHash, string LeafContent, Guid StreamId, long Version, string Type);

public static class LeafEndpoints
{
    [EndpointSummary("One leaf of the ledger: its exact bytes (leafContent, base64) and its hash")]
    [WolverineGet("/api/audit/leaves/{leafIndex}", Name = "Leaf"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    [ProducesResponseType<Leaf>(200)]
    public static async Task<IResult> Leaf(string leafIndex, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!long.TryParse(leafIndex, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return Problems.Result(400, "must be a whole number, 0 or more", "leafIndex");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The event's columns as the sequencer reads them (LeafContent.EventColumns), then the leaf's stored hash.
        await using var cmd = new NpgsqlCommand(
            "select e.seq_id, e.stream_id, e.version, e.type, e.data::text, coalesce(e.user_name, ''), e.timestamp, l.leaf_hash " +
            $"from {LedgerSchema.Leaves} l left join {LedgerSchema.Events} e on e.seq_id = l.seq_id where l.leaf_index = @i", conn);
        cmd.Parameters.AddWithValue("i", index);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return Problems.Result(404, $"the tree has no leaf {index} yet", "leafIndex");
        // An event deleted behind the ledger's back: the leaf stands, its bytes are gone (verify names it).
        if (await reader.IsDBNullAsync(0, ct)) return Problems.Result(404, $"the event of leaf {index} is missing from the store", "leafIndex");
        var hash = (byte[])reader[7];
        var (_, content) = LeafContent.Read(reader);
        return Results.Json(new Leaf(index, LeafContent.Hex(hash), Convert.ToBase64String(content.CanonicalJson()), content.StreamId, content.Version, content.Type),
            JsonSetup.Options);
    }

    [EndpointSummary("A c2sp.org/tlog-proof@v1 of one leaf in the latest signed checkpoint (or the one of size treeSize), cosignatures included")]
    [WolverineGet("/api/audit/leaves/{leafIndex}/proof", Name = "LeafProof"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    public static async Task<IResult> Proof(string leafIndex, string? treeSize, LedgerVerifier verifier, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!long.TryParse(leafIndex, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return Problems.Result(400, "must be a whole number, 0 or more", "leafIndex");
        long? size = null;
        if (treeSize != null)
        {
            if (!long.TryParse(treeSize, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1)
                return Problems.Result(400, "must be a whole number, 1 or more", "treeSize");
            size = s;
        }
        if ((await verifier.CheckpointsAsync(ct, latestOnly: true, size: size, notesOnly: true)).FirstOrDefault() is not { Note: { } note } checkpoint)
            return size is null
                ? Problems.Result(404, "no checkpoint has been signed as a note yet")
                : Problems.Result(404, $"no checkpoint of size {size} has been signed as a note", "treeSize");
        if (index >= checkpoint.TreeSize)
            return Problems.Result(404, $"leaf {index} is not in the signed checkpoint of size {checkpoint.TreeSize} (yet)", "leafIndex");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var path = await new StoredTree(conn).ComputeAsync(t => t.InclusionPath(index, checkpoint.TreeSize), ct);
        return Results.Text(new TlogProof(index, path, note).Format(), "text/plain; charset=utf-8");
    }
}
