using System.Text;
using System.Text.Json.Serialization;
using ClaimLedger.Access;
using ClaimLedger.Claims.Searching;
using Marten;
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
    public static async Task<IResult> Get(string? q, string? after, string? limit, IQuerySession session, CancellationToken ct)
    {
        if (!Keyset.TryLimit(limit, out var take, out var problem)) return problem!;
        var sql = new StringBuilder($"select data from {SourceSummary.Table}");
        var parameters = new List<object>();
        var where = "where";
        if (!string.IsNullOrWhiteSpace(q))
        {
            if (q.Length > 300 || q.Any(char.IsControl)) return Problems.Result(400, "must be at most 300 characters of text, without control characters", "q");
            var words = SearchText.Words(q);
            if (words.Count == 0) return Problems.Result(400, "has no letter or digit to search for", "q");
            if (words.Count > SearchText.MostQueryWords) return Problems.Result(400, $"has more than {SearchText.MostQueryWords} words: search for fewer", "q");
            sql.Append($" where {SearchText.Vector("search_terms")} @@ ?::tsquery");
            parameters.Add(SearchText.TsQuery(words, [])!);
            where = "and";
        }
        if (after != null)
        {
            if (!Keyset.TryRead(after, CursorKind, out var at, out var id)) return Keyset.BadCursor("a list of sources");
            sql.Append($" {where} (registered_at, id) < (?, ?)");
            parameters.Add(at);
            parameters.Add(id);
        }
        sql.Append(" order by registered_at desc, id desc limit ?");
        parameters.Add(take + 1);
        var rows = await session.QueryAsync<SourceSummary>(sql.ToString(), ct, [.. parameters]);
        var items = rows.Take(take).ToList();
        var next = rows.Count > take ? Keyset.Write(CursorKind, items[^1].RegisteredAt, items[^1].Id) : null;
        return Results.Json(new SourcePage(items, next), JsonSetup.Options);
    }
}
