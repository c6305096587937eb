
namespace ClaimLedger.Web;

/// <summary>
/// An <c>If-Match</c> header as RFC 9110 §13.1.1 defines it: <c>*</c>, or a comma-separated list of entity-tags, each
/// <c>"opaque"</c> or <c>W/"opaque"</c>. A claim's entity-tag is <c>"&lt;version&gt;"</c>; a tag matches by strong
/// comparison only (a weak tag never matches, <c>"01"</c> is not <c>"1"</c>).
/// </summary>
public sealed class IfMatch
{
    private readonly bool _any;
    private readonly List<(bool Weak, string Opaque)> _tags;

    private IfMatch(bool any, List<(bool Weak, string Opaque)> tags)
    {
        _any = any;
        _tags = tags;
    }

    /// <summary>
    /// Reads the header: null without one; false when it is not <c>*</c> or a list of entity-tags (a 400). Several
    /// If-Match fields combine into one list, as RFC 9110 §5.3 allows.
    /// </summary>
    public static bool TryRead(HttpRequest request, out IfMatch? condition)
    {
        condition = null;
        var fields = request.Headers.IfMatch;
        if (fields.Count == 0) return true;
        var tags = new List<(bool, string)>();
        var any = false;
        foreach (var field in fields)
        {
            if (field is null) continue;
            if (field.Trim() == "*")
            {
                any = true;
                continue;
            }
            if (!TryParseList(field, tags)) return false;
        }
        // "*" stands alone: a field list that mixes it with tags is not a valid If-Match.
        if (any && tags.Count > 0) return false;
        if (!any && tags.Count == 0) return false;
        condition = new IfMatch(any, tags);
        return true;
    }

    /// <summary>Whether a claim at <paramref name="version"/> satisfies the condition.</summary>
    public bool Matches(long version)
    {
        if (_any) return true;
        var current = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _tags.Exists(t => !t.Weak && t.Opaque == current);
    }

    /// <summary><c>#entity-tag</c>: elements separated by commas and optional white space; empty elements are allowed.</summary>
    private static bool TryParseList(string field, List<(bool, string)> tags)
    {
        var i = 0;
        while (true)
        {
            SkipWhiteSpace(field, ref i);
            if (i == field.Length) return true;
            if (field[i] == ',') { i++; continue; }
            var weak = false;
            if (i + 1 < field.Length && field[i] == 'W' && field[i + 1] == '/') { weak = true; i += 2; }
            if (i == field.Length || field[i] != '"') return false;
            var start = ++i;
            while (i < field.Length && IsEntityTagChar(field[i])) i++;
            if (i == field.Length || field[i] != '"') return false;
            tags.Add((weak, field[start..i]));
            i++;
            SkipWhiteSpace(field, ref i);
            if (i == field.Length) return true;
            if (field[i] != ',') return false;
        }
    }

    private static void SkipWhiteSpace(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
    }

    /// <summary><c>etagc = %x21 / %x23-7E / obs-text</c>: any visible character but the double quote.</summary>
    private static bool IsEntityTagChar(char c) => c == '\x21' || (c >= '\x23' && c <= '\x7E') || (c >= '\x80' && c <= '\xFF');
}
