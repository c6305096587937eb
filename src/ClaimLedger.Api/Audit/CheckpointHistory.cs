using System.Text.Json.Serialization;
using ClaimLedger.Access;
using Microsoft.AspNetCore.Authorization;
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
    public static async Task<IResult> Get(string? after, string? limit, LedgerVerifier verifier, CancellationToken ct)
    {
        if (!Keyset.TryLimit(limit, out var take, out var problem)) return problem!;
        long from = -1;
        if (after != null && !Keyset.TryRead(after, CursorKind, out from)) return Keyset.BadCursor("the checkpoint history");
        // Built as the latest checkpoint is: the note text with its cosignatures, or the fields alone for one signed before the switch.
        var items = await verifier.CheckpointsAsync(ct, after: from, limit: take + 1);
        var next = items.Count > take ? Keyset.Write(CursorKind, items[take - 1].TreeSize) : null;
        return Results.Json(new CheckpointPage(items.Take(take).ToList(), next), JsonSetup.Options);
    }
}
