using System.Text.Json.Serialization;
using ClaimLedger.Access;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Audit;

public sealed record CheckpointPage(IReadOnlyList<Checkpoint> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next);

public static class CheckpointHistoryEndpoint
{
    public const string CursorKind = "checkpoints";

    /// <summary>
    /// Every signed checkpoint, oldest first, a page at a time (<c>after</c>: the previous page's <c>next</c>; <c>limit</c>
    /// 1–200, default 50): one range scan of the checkpoints' primary key (their tree size) from the cursor.
    /// </summary>
    [EndpointSummary("The checkpoint history: every signed checkpoint, oldest first, keyset-paged")]
    [WolverineGet("/api/audit/checkpoints", Name = "CheckpointHistory"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    [ProducesResponseType<CheckpointPage>(200)]
    public static async Task<IResult> Get(string? after, string? limit, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!Keyset.TryLimit(limit, out var take, out var problem)) return problem!;
        long from = -1;
        if (after != null && !Keyset.TryRead(after, CursorKind, out from)) return Keyset.BadCursor("the checkpoint history");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select k.tree_size, k.root_hash, k.recorded_at, k.signature, k.key_id, k.origin, " +
            $"array(select c.line from {LedgerSchema.Cosignatures} c where c.tree_size = k.tree_size order by c.witness) " +
            $"from {LedgerSchema.Checkpoints} k where k.tree_size > @after order by k.tree_size limit @n", conn);
        cmd.Parameters.AddWithValue("after", from);
        cmd.Parameters.AddWithValue("n", take + 1);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var items = new List<Checkpoint>();
        while (await reader.ReadAsync(ct))
        {
            // As the latest checkpoint is served: a signed note (origin, note and cosignatures) since the switch to notes.
            var checkpoint = new Checkpoint(reader.GetInt64(0), LeafContent.Hex((byte[])reader[1]), reader.GetFieldValue<DateTimeOffset>(2),
                Convert.ToBase64String((byte[])reader[3]), reader.GetString(4)) { Origin = reader.IsDBNull(5) ? null : reader.GetString(5) };
            items.Add(checkpoint with { Note = checkpoint.NoteWith(reader.GetFieldValue<string[]>(6)) });
        }
        var next = items.Count > take ? Keyset.Write(CursorKind, items[take - 1].TreeSize) : null;
        return Results.Json(new CheckpointPage(items.Take(take).ToList(), next), JsonSetup.Options);
    }
}
