using System.Globalization;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace ClaimLedger.Quotes;

/// <summary>Where a quote stands in its source's text: UTF-16 offsets <c>[start, end)</c> into the stored text.</summary>
public sealed record QuoteAnchor(int Start, int End);

/// <summary>
/// Finds a quote in a source text the way a person would: after Unicode NFC normalisation, with runs of white space
/// (including the no-break spaces of French typography) folded to one space, and apostrophe and quotation-mark
/// variants folded to ' and ". The anchor points back into the text as stored.
/// </summary>
public static class QuoteAnchoring
{
    public static QuoteAnchor? Find(string text, string quote) => Find(text, quote, null);

    /// <summary>
    /// As <see cref="Find(string,string)"/>; a source text is immutable, so its folded form is remembered under the
    /// source's id (bounded) instead of being folded again for every quote.
    /// </summary>
    public static QuoteAnchor? Find(string text, string quote, Guid? sourceId)
    {
        var (foldedQuote, _) = Fold(quote.Trim());
        if (foldedQuote.Length == 0) return null;
        var (foldedText, origins) = sourceId is { } id
            ? FoldedSources.GetOrCreate<(string Folded, List<(int Start, int End)> Origins)>(id, entry =>
            {
                var folded = Fold(text);
                entry.Size = folded.Folded.Length + 1;
                return folded;
            })!
            : Fold(text);
        var at = foldedText.IndexOf(foldedQuote, StringComparison.Ordinal);
        if (at < 0) return null;
        var last = at + foldedQuote.Length - 1;
        return new QuoteAnchor(origins[at].Start, origins[last].End);
    }

    private static readonly Microsoft.Extensions.Caching.Memory.MemoryCache FoldedSources =
        new(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 16 * 1024 * 1024 });

    /// <summary>The folded form and, for each of its characters, the span of the original text it came from.</summary>
    internal static (string Folded, List<(int Start, int End)> Origins) Fold(string s)
    {
        var sb = new StringBuilder(s.Length);
        var origins = new List<(int, int)>(s.Length);
        var elements = StringInfo.GetTextElementEnumerator(s);
        var pendingSpace = false;
        (int Start, int End) spaceOrigin = default;
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            var start = elements.ElementIndex;
            var end = start + element.Length;
            if (element.Length == 1 && IsSpace(element[0]) || element == "\r\n")
            {
                if (!pendingSpace) spaceOrigin = (start, end);
                else spaceOrigin = (spaceOrigin.Start, end);
                pendingSpace = true;
                continue;
            }
            if (pendingSpace)
            {
                if (sb.Length > 0) { sb.Append(' '); origins.Add(spaceOrigin); }
                pendingSpace = false;
            }
            // A text element is normalised on its own: NFC composes within a grapheme, never across one.
            foreach (var piece in StreamSafe(element))
            foreach (var c in SafeNormalize(piece))
            {
                sb.Append(FoldChar(c));
                origins.Add((start, end));
            }
        }
        return (sb.ToString(), origins);
    }

    /// <summary>At most this many UTF-16 units of one text element are normalised together.</summary>
    private const int LongestRun = 30;

    /// <summary>
    /// A text element cut into runs of at most <see cref="LongestRun"/> units, as Unicode's Stream-Safe Text Format
    /// (UAX #15) bounds runs of combining marks. NFC reorders a run of marks by insertion, which is quadratic in the
    /// run's length: one grapheme of a million marks took an hour to normalise, under a write's locks. Real text never
    /// has a run this long; for the runs that do, text and quote are cut alike, so anchoring stays consistent.
    /// </summary>
    private static IEnumerable<string> StreamSafe(string element)
    {
        if (element.Length <= LongestRun)
        {
            yield return element;
            yield break;
        }
        for (var at = 0; at < element.Length;)
        {
            var length = Math.Min(LongestRun, element.Length - at);
            // Never cut a surrogate pair in two.
            if (at + length < element.Length && char.IsHighSurrogate(element[at + length - 1])) length--;
            yield return element.Substring(at, length);
            at += length;
        }
    }

    private static string SafeNormalize(string element)
    {
        try { return element.IsNormalized(NormalizationForm.FormC) ? element : element.Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) { return element; } // ill-formed UTF-16 is refused at the edge; never fail here
    }

    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\u00A0' or '\u202F' or '\u2007' or '\u200B' or '\uFEFF';

    private static char FoldChar(char c) => c switch
    {
        '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '\u02BC' or '\u02B9' or '\u0060' or '\u00B4' or '\uFF07' => '\'',
        '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' or '\u00AB' or '\u00BB' or '\u2039' or '\u203A' or '\uFF02' => '"',
        _ => c,
    };
}
