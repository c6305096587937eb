using System.Text;
using ClaimLedger.Access;
using ClaimLedger.Claims;
using ClaimLedger.Figures.Picture;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Figures.Revisions;

public sealed record RevisionItem(
    long Revision, DateTimeOffset RecordedAt, string Actor, Guid ClaimId, string AttributedTo, RevisionChange Change,
    ClaimValue? PreviousValue, ClaimValue? Value, ClaimStatus Status, Guid SourceId, string? Reason)
{
    public static RevisionItem Of(FigureRevision r) =>
        new(r.Revision, r.RecordedAt, r.Actor, r.ClaimId, r.AttributedTo, r.Change, r.PreviousValue, r.Value, r.Status, r.SourceId, r.Reason);
}

public sealed record RevisionPage(
    IReadOnlyList<RevisionItem> Items,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Next);

public static class GetRevisionsEndpoint
{
    public const int DefaultLimit = 100, MaxLimit = 500;

    /// <summary>
    /// Every change to every claim on the figure, oldest first, a page at a time. The cursor is opaque; a page is one
    /// index range scan from it, so its cost does not grow with how deep in the history it starts.
    /// </summary>
    [EndpointSummary("The revision history of a figure, oldest first, keyset-paged")]
    [WolverineGet("/api/figures/{id}/revisions", Name = "GetFigureRevisions"), Authorize(Policy = Policies.Read)]
    [Tags("Figures")]
    [ProducesResponseType<RevisionPage>(200)]
    [ProducesResponseType<Microsoft.AspNetCore.Mvc.ProblemDetails>(503, "application/problem+json")]
    public static async Task<IResult> Get(Guid id, string? after, string? limit, IQuerySession session, HistoryCatchUp history,
        HttpContext http, CancellationToken ct)
    {
        var take = DefaultLimit;
        if (limit != null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, null, out take) || take is < 1 or > MaxLimit))
            return Problems.Result(400, $"must be a whole number from 1 to {MaxLimit}", "limit");
        long from = 0;
        if (after != null && !Cursor.TryRead(after, id, out from))
            return Problems.Result(400, "is not a cursor this figure's revisions gave out", "after");
        var picture = await session.LoadAsync<FigurePicture>(id, ct);
        if (picture is null) return Problems.NotFound("figure", id);

        var rows = await PageAsync(session, id, from, take, ct);
        // A short page ends the history: it must reach the picture's revision, or it would hide the newest changes.
        if (rows.Count <= take && picture.RevisionCount > from)
        {
            if (!await history.WaitForAsync(session, id, picture.RevisionCount, rows.Count == 0 ? from : rows[^1].Revision, ct))
                return HistoryCatchUp.Behind(http, picture);
            rows = await PageAsync(session, id, from, take, ct);
        }
        var items = rows.Take(take).Select(RevisionItem.Of).ToList();
        var next = rows.Count > take ? Cursor.Write(id, items[^1].Revision) : null;
        return Results.Json(new RevisionPage(items, next), JsonSetup.Options);
    }

    private static Task<IReadOnlyList<FigureRevision>> PageAsync(IQuerySession session, Guid id, long from, int take, CancellationToken ct) =>
        FigureRevision.PageAsync(session, id, from, take + 1, ct);

    /// <summary>An opaque cursor: the figure and the last revision seen, base64url-encoded.</summary>
    public static class Cursor
    {
        public static string Write(Guid figureId, long revision) =>
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{figureId:N}:{revision}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static bool TryRead(string cursor, Guid figureId, out long revision)
        {
            revision = 0;
            try
            {
                var b64 = cursor.Replace('-', '+').Replace('_', '/');
                b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
                var parts = Encoding.ASCII.GetString(Convert.FromBase64String(b64)).Split(':');
                return parts.Length == 2 && parts[0] == figureId.ToString("N") &&
                       long.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out revision) && revision >= 0;
            }
            catch (FormatException) { return false; }
        }
    }
}
