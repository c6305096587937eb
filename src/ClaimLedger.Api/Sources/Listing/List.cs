using System.Text.Json.Serialization;
using ClaimLedger.Access;
using ClaimLedger.Claims.Searching;
using ClaimLedger.Storage;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Sources.Listing;

public sealed record SourcePage(IReadOnlyList<SourceSummary> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next);

public static class ListSourcesEndpoint
{
    public const string CursorKind = "sources";

    /// <summary>
    /// Sources without their text, most recently registered first, a page at a time (<c>after</c>: the previous page's
    /// <c>next</c>; <c>limit</c> 1–200, default 50). <c>q</c>: words of the title or the outlet, ignoring case and accents,
    /// each the beginning of a word there.
    /// </summary>
    [EndpointSummary("List sources (without their text), most recently registered first, searchable, keyset-paged")]
    [WolverineGet("/api/sources", Name = "ListSources"), Authorize(Policy = Policies.Read)]
    [Tags("Sources")]
    [ProducesResponseType<SourcePage>(200)]
    public static async Task<IResult> Get(string? q, string? after, string? limit, ValuePlannedReads reads, CancellationToken ct)
    {
        if (!Keyset.TryLimit(limit, out var take, out var problem)) return problem!;
        if (ClaimQuery.ReadWords(q, out var words) is { } badWords) return badWords;
        if (!Keyset.TryAfter(after, CursorKind, "a list of sources", out var from, out problem)) return problem!;
        var (sql, parameters) = Statement(words, from, take + 1);
        var rows = await reads.QueryAsync<SourceSummary>(sql, parameters, ct);
        var items = rows.Take(take).ToList();
        var next = rows.Count > take ? Keyset.Write(CursorKind, items[^1].RegisteredAt, items[^1].Id) : null;
        return Results.Json(new SourcePage(items, next), JsonSetup.Options);
    }

    /// <summary>The page's SQL (Npgsql's positional parameters) and their values, on the summaries' two indexes.</summary>
    public static (string Sql, object[] Parameters) Statement(IReadOnlyList<string> words, (DateTimeOffset At, Guid Id)? after, int rows) =>
        Keyset.PageStatement(SourceSummary.Table, "registered_at", SearchText.TsQuery(words, []), after, rows);
}
