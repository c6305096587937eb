using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ClaimLedger.Claims.Searching;

/// <summary>
/// What a search compares: words folded so that case and accents do not count, in French and English alike. A text and
/// a query are folded the same way, in .NET, so PostgreSQL indexes words that are already folded: its own folding
/// (unaccent, a collation's lower case) would depend on the server's extensions and locale.
/// </summary>
/// <remarks>
/// A word is a run of letters and digits, with compatibility forms unfolded (NFKD: <c>ᵉ</c> → e, <c>ﬁ</c> → fi), marks
/// dropped (<c>é</c> → e), the letters that do not decompose spelled out (<c>œ</c> → oe, <c>æ</c> → ae, <c>ß</c> → ss)
/// and lower case. Anything else separates words: <c>l’armée</c> is <c>l armee</c>. A number written in groups of three
/// (<c>14 000</c>, <c>14,000</c>) is also the one word <c>14000</c>. Words are stored space-separated, and filters are
/// stored beside them as terms no query word can reach (<see cref="Filter"/>).
/// </remarks>
public static class SearchText
{
    /// <summary>A longer word is cut: a query word matches the words it begins.</summary>
    public const int LongestWord = 64;

    /// <summary>The most words a query may have.</summary>
    public const int MostQueryWords = 12;

    /// <summary>The folded words of a text, each once, in the order they first occur.</summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text)) return words;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        var number = new StringBuilder(); // the digits of a number written in groups of three, so far
        var separatorAfterDigits = false;
        foreach (var rune in Decomposed(text))
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark) continue;
            if (Rune.IsLetterOrDigit(rune))
            {
                word.Append(Folded(rune));
                continue;
            }
            EndWord();
            separatorAfterDigits = number.Length > 0 && rune.Value is ' ' or '\u00A0' or '\u202F' or '\u2009' or ',' or '.';
            if (!separatorAfterDigits) number.Clear();
        }
        EndWord();
        return words;

        void EndWord()
        {
            if (word.Length == 0)
            {
                number.Clear();
                return;
            }
            var folded = word.ToString();
            word.Clear();
            Add(folded);
            if (folded.All(char.IsAsciiDigit))
            {
                // "14 000": 14, 000 and 14000. A group of three after a separator continues the number.
                if (separatorAfterDigits && number.Length > 0 && folded.Length == 3)
                {
                    number.Append(folded);
                    Add(number.ToString());
                }
                else number.Clear().Append(folded);
            }
            else number.Clear();
            separatorAfterDigits = false;
        }

        void Add(string w)
        {
            if (w.Length > LongestWord) w = w[..LongestWord];
            if (seen.Add(w)) words.Add(w);
        }
    }

    /// <summary>The words as stored: separated by single spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words);

    /// <summary>
    /// A term for an exact filter (a status, a source, an originator…), stored among the words. It begins with <c>~</c>,
    /// which no query word holds, so no query word matches it, not even as a prefix; values are hashed, so that any text
    /// (an originator's name with spaces in it) is one term.
    /// </summary>
    public static string Filter(string kind, string value) =>
        $"~{kind}~{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..24]}";

    /// <summary>
    /// The PostgreSQL <c>tsquery</c> that finds every folded word of <paramref name="query"/> as the beginning of a word
    /// (<c>alep</c> finds Alep and Aleppo), and every filter term exactly; null when there is nothing to find. Words are
    /// letters and digits only, and filter terms letters, digits and <c>~</c>, so no quoting is needed.
    /// </summary>
    public static string? TsQuery(IEnumerable<string> queryWords, IEnumerable<string> filters)
    {
        var terms = queryWords.Select(w => $"{w}:*").Concat(filters).ToList();
        return terms.Count == 0 ? null : string.Join(" & ", terms);
    }

    /// <summary>The SQL expression of a stored text's terms, the one its index is built on: queries must use it as it is.</summary>
    public static string Vector(string column) => $"array_to_tsvector(string_to_array({column}, ' '))";

    private static IEnumerable<Rune> Decomposed(string text)
    {
        string decomposed;
        try { decomposed = text.Normalize(NormalizationForm.FormKD); }
        catch (ArgumentException) { decomposed = text; } // a lone surrogate: searched as it is
        return decomposed.EnumerateRunes();
    }

    private static string Folded(Rune rune) => rune.Value switch
    {
        'œ' or 'Œ' => "oe",
        'æ' or 'Æ' => "ae",
        'ß' or 'ẞ' => "ss",
        'ø' or 'Ø' => "o",
        'đ' or 'Đ' or 'ð' or 'Ð' => "d",
        'ł' or 'Ł' => "l",
        'ı' => "i",
        'þ' or 'Þ' => "th",
        _ when Rune.IsDigit(rune) && Rune.GetNumericValue(rune) is >= 0 and <= 9 and var digit => ((char)('0' + (int)digit)).ToString(),
        _ => rune.ToString().ToLowerInvariant(),
    };
}
