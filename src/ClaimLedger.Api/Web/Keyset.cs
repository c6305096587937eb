using System.Globalization;
using System.Text;

namespace ClaimLedger.Web;

/// <summary>
/// Keyset paging for lists: a page is read from where the last one stopped, through an index, so its cost does not grow
/// with how deep it is. The cursor (<c>after</c>) is opaque: the kind of list and the last row's key, base64url-encoded.
/// </summary>
public static class Keyset
{
    public const int DefaultLimit = 50, MaxLimit = 200;

    /// <summary>A page's size: <c>limit</c>, a whole number from 1 to <see cref="MaxLimit"/> (default <see cref="DefaultLimit"/>).</summary>
    public static bool TryLimit(string? raw, out int limit, out IResult? problem)
    {
        problem = null;
        limit = DefaultLimit;
        if (raw is null) return true;
        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxLimit) return true;
        problem = Problems.Result(400, $"must be a whole number from 1 to {MaxLimit}", "limit");
        return false;
    }

    /// <summary>A position in a list ordered by a time (microseconds, as PostgreSQL keeps it) and then an id.</summary>
    public static string Write(string kind, DateTimeOffset at, Guid id) =>
        Encode($"{kind}:{(at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}:{id:N}");

    /// <summary>Reads a cursor <see cref="Write"/> gave out for the same kind of list; false for anything else.</summary>
    public static bool TryRead(string cursor, string kind, out DateTimeOffset at, out Guid id)
    {
        at = default;
        id = default;
        var parts = Decode(cursor)?.Split(':');
        if (parts is not { Length: 3 } || parts[0] != kind ||
            !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros) ||
            !Guid.TryParseExact(parts[2], "N", out id)) return false;
        try
        {
            at = DateTimeOffset.UnixEpoch.AddTicks(checked(micros * 10));
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException) { return false; }
    }

    /// <summary>The position <c>after</c> names in a list of this kind (none when it is not given), or a 400 naming it.</summary>
    public static bool TryAfter(string? after, string kind, string what, out (DateTimeOffset At, Guid Id)? position, out IResult? problem)
    {
        position = null;
        problem = null;
        if (after is null) return true;
        if (TryRead(after, kind, out var at, out var id))
        {
            position = (at, id);
            return true;
        }
        problem = BadCursor(what);
        return false;
    }

    /// <summary>A position in a list ordered by a number alone (a checkpoint's tree size).</summary>
    public static string Write(string kind, long position) => Encode($"{kind}:{position.ToString(CultureInfo.InvariantCulture)}");

    public static bool TryRead(string cursor, string kind, out long position)
    {
        position = 0;
        var parts = Decode(cursor)?.Split(':');
        return parts is { Length: 2 } && parts[0] == kind &&
               long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out position);
    }

    /// <summary>The problem for a cursor that no list of this kind gave out.</summary>
    public static IResult BadCursor(string what) => Problems.Result(400, $"is not a cursor that {what} gave out: pass the 'next' of the previous page", "after");

    private static string Encode(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string cursor)
    {
        if (cursor.Length is 0 or > 200) return null;
        var b64 = cursor.Replace('-', '+').Replace('_', '/');
        b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(b64)); }
        catch (FormatException) { return null; }
    }

    /// <summary>
    /// One keyset page of a summary table, newest first: rows whose search terms match <paramref name="terms"/> (a
    /// tsquery over <c>search_terms</c>, none when null), after the cursor (exclusive), as SQL with Npgsql's positional
    /// parameters (<c>$1</c>) and their values, run by <see cref="Storage.ValuePlannedReads"/>. The lists that page by
    /// (time, id) share it, so each reads its two indexes the same way.
    /// </summary>
    public static (string Sql, object[] Parameters) PageStatement(string table, string orderedBy, string? terms,
        (DateTimeOffset At, Guid Id)? after, int rows)
    {
        var sql = new StringBuilder($"select data from {table}");
        var parameters = new List<object>();
        string Next(object value)
        {
            parameters.Add(value);
            return $"${parameters.Count}";
        }
        var where = "where";
        if (terms != null)
        {
            sql.Append($" {where} {Claims.Searching.SearchText.Vector("search_terms")} @@ {Next(terms)}::tsquery");
            where = "and";
        }
        if (after is { } cursor)
            sql.Append($" {where} ({orderedBy}, id) < ({Next(cursor.At)}, {Next(cursor.Id)})");
        sql.Append($" order by {orderedBy} desc, id desc limit {Next(rows)}");
        return (sql.ToString(), parameters.ToArray());
    }
}
