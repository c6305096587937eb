using System.Text.Json.Serialization;
using ClaimLedger.Access;
using ClaimLedger.Claims.Searching;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Reviewing;

/// <summary>
/// A decision waiting for the calling reviewer: a dispute to resolve (<c>disputeId</c>) or a verdict to record, since
/// <c>since</c>; with the claim's quote, originator and status to show it by.
/// </summary>
public sealed record PendingReview(Guid ClaimId, PendingReason Reason, DateTimeOffset Since, Guid? DisputeId, string Quote,
    string AttributedTo, ClaimStatus Status);

public sealed record PendingReviewPage(IReadOnlyList<PendingReview> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next);

public static class PendingReviewsEndpoint
{
    public const string CursorKind = "reviews";

    /// <summary>
    /// What the caller may decide now, oldest first: open disputes it did not open, and claims awaiting a verdict
    /// (submitted or under review) that it did not submit. Read through the summaries' partial index of pending claims,
    /// a page at a time (<c>after</c>, <c>limit</c> 1–200, default 50).
    /// </summary>
    [EndpointSummary("The review queue: what the calling reviewer may decide now, four eyes applied, oldest first")]
    [WolverineGet("/api/reviews/pending", Name = "PendingReviews"), Authorize(Policy = Policies.Review)]
    [Tags("Claims")]
    [ProducesResponseType<PendingReviewPage>(200)]
    public static async Task<IResult> Get(string? after, string? limit, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (!Keyset.TryLimit(limit, out var take, out var problem)) return problem!;
        if (!Keyset.TryAfter(after, CursorKind, "the review queue", out var from, out problem)) return problem!;
        var (sql, parameters) = Statement(Actor.From(http.User).Name, from, take + 1);
        var rows = await session.QueryAsync<ClaimSummary>(sql, ct, parameters);
        var items = rows.Take(take).Select(c => new PendingReview(c.Id, c.Pending!.Reason, c.Pending.Since, c.Pending.DisputeId, c.Quote,
            c.AttributedTo, c.Status)).ToList();
        var next = rows.Count > take ? Keyset.Write(CursorKind, items[^1].Since, items[^1].ClaimId) : null;
        return Results.Json(new PendingReviewPage(items, next), JsonSetup.Options);
    }

    /// <summary>The page's SQL (Marten's <c>?</c> placeholders) and its parameters: a range of the pending claims' partial index.</summary>
    public static (string Sql, object[] Parameters) Statement(string reviewer, (DateTimeOffset At, Guid Id)? after, int rows)
    {
        var sql = $"select data from {ClaimSummary.Table} where pending_since is not null and data -> 'pending' ->> 'notBy' <> ?";
        var parameters = new List<object> { reviewer };
        if (after is { } cursor)
        {
            sql += " and (pending_since, id) > (?, ?)";
            parameters.Add(cursor.At);
            parameters.Add(cursor.Id);
        }
        parameters.Add(rows);
        return (sql + " order by pending_since, id limit ?", parameters.ToArray());
    }
}
