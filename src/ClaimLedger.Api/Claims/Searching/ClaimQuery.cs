using System.Text;
using System.Text.Json.Serialization;
using ClaimLedger.Storage;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Searching;

/// <summary>One claim in a list.</summary>
public sealed record ClaimSummaryItem(
    Guid Id, ClaimStatus Status, string AttributedTo, Guid? FigureId, Guid SourceId, ClaimValue? Value, string Quote,
    string SubmittedBy, DateTimeOffset LastChangedAt, long Version)
{
    public static ClaimSummaryItem Of(ClaimSummary c) =>
        new(c.Id, c.Status, c.AttributedTo, c.FigureId, c.SourceId, c.Value, c.Quote, c.SubmittedBy, c.LastChangedAt, c.Version);
}

/// <summary>A page of claims, most recently changed first; <c>next</c> is the cursor of the following page, null on the last.</summary>
public sealed record ClaimPage(IReadOnlyList<ClaimSummaryItem> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next);

/// <summary>
/// Which claims a list shows: any combination of exact filters and a search, all of them terms of the summary's one GIN
/// index (<see cref="ClaimSummary.SearchTerms"/>), read in the order of the (last change, id) index from a cursor.
/// PostgreSQL chooses between them by what the terms' statistics say: the term index when they match few claims, the
/// order's index (stopping at the page's end) when they match many; it plans each page with its terms
/// (<see cref="ValuePlannedReads"/>).
/// </summary>
public sealed record ClaimQuery(IReadOnlyList<string> Words, IReadOnlyList<string> Filters)
{
    public const string CursorKind = "claims";

    public static readonly ClaimQuery All = new([], []);

    /// <summary>The query of <c>GET /api/claims</c>'s parameters, or a 400 naming the first one at fault.</summary>
    public static (ClaimQuery? Query, IResult? Problem) Read(string? status, string? figureId, string? sourceId, string? attributedTo,
        string? submittedBy, string? q)
    {
        var filters = new List<string>();
        if (!string.IsNullOrEmpty(status))
        {
            if (!Statuses.TryGetValue(status, out var s))
                return (null, Problems.Result(400, $"is not a claim status: use one of {string.Join(", ", Statuses.Keys)}", "status"));
            filters.Add(ClaimSummary.StatusFilter(s));
        }
        foreach (var (field, raw, filter) in new (string, string?, Func<Guid, string>)[]
                 { ("figureId", figureId, ClaimSummary.FigureFilter), ("sourceId", sourceId, ClaimSummary.SourceFilter) })
        {
            if (string.IsNullOrEmpty(raw)) continue;
            if (!Guid.TryParse(raw, out var id)) return (null, Problems.Result(400, "must be a GUID", field));
            filters.Add(filter(id));
        }
        foreach (var (field, raw) in new[] { ("attributedTo", attributedTo), ("submittedBy", submittedBy) })
            if (BadText(raw, field) is { } bad) return (null, bad);
        if (!string.IsNullOrWhiteSpace(attributedTo)) filters.Add(ClaimSummary.OriginatorFilter(attributedTo));
        if (!string.IsNullOrWhiteSpace(submittedBy)) filters.Add(ClaimSummary.SubmitterFilter(submittedBy.Trim().Normalize(NormalizationForm.FormC)));
        if (ReadWords(q, out var words) is { } badWords) return (null, badWords);
        return (new ClaimQuery(words, filters), null);
    }

    /// <summary>The statuses as the API writes them (<c>under_review</c>), each to its value.</summary>
    public static readonly IReadOnlyDictionary<string, ClaimStatus> Statuses =
        Enum.GetValues<ClaimStatus>().ToDictionary(s => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString()));

    /// <summary>One page from the cursor <paramref name="after"/> (exclusive), most recently changed first.</summary>
    public async Task<ClaimPage> PageAsync(ValuePlannedReads reads, (DateTimeOffset At, Guid Id)? after, int limit, CancellationToken ct)
    {
        var (sql, parameters) = Statement(after, limit + 1);
        var rows = await reads.QueryAsync<ClaimSummary>(sql, parameters, ct);
        var items = rows.Take(limit).Select(ClaimSummaryItem.Of).ToList();
        var next = rows.Count > limit ? Keyset.Write(CursorKind, items[^1].LastChangedAt, items[^1].Id) : null;
        return new ClaimPage(items, next);
    }

    /// <summary>The page's SQL (Npgsql's positional parameters) and their values: one statement on the summaries' indexes.</summary>
    public (string Sql, object[] Parameters) Statement((DateTimeOffset At, Guid Id)? after, int rows) =>
        Keyset.PageStatement(ClaimSummary.Table, "last_changed_at", SearchText.TsQuery(Words, Filters), after, rows);

    /// <summary>The folded words of a search (none when <paramref name="q"/> is blank), or a 400 naming <c>q</c>.</summary>
    public static IResult? ReadWords(string? q, out IReadOnlyList<string> words)
    {
        words = [];
        if (string.IsNullOrWhiteSpace(q)) return null;
        if (BadText(q, "q") is { } bad) return bad;
        words = SearchText.Words(q);
        if (words.Count == 0) return Problems.Result(400, "has no letter or digit to search for", "q");
        return words.Count > SearchText.MostQueryWords ? Problems.Result(400, $"has more than {SearchText.MostQueryWords} words: search for fewer", "q") : null;
    }

    private static IResult? BadText(string? raw, string field) =>
        raw != null && (raw.Length > 300 || raw.Any(char.IsControl) || !IsValidUtf16(raw))
            ? Problems.Result(400, "must be at most 300 characters of text, without control characters", field)
            : null;

    private static bool IsValidUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return false;
        }
        return true;
    }
}
