using System.Globalization;
using System.Text;

namespace ClaimLedger.Access;

/// <summary>
/// What a user's name may be. It is the <c>actor</c> of every event the user records, so two users must never be told
/// apart only by what a reader cannot see. A name is 1–64 characters once in NFC (the form it is stored in), made of
/// letters, marks on them and digits, with single spaces and <c>. - _ '</c> between them; its letters are of one script;
/// and no two users have the same <see cref="Skeleton"/>: case, accents, compatibility forms and the Cyrillic and Greek
/// letters drawn like Latin ones do not make a new name ('Chloé', 'chloe' + U+0301 and 'Сhloé' with a Cyrillic С are
/// one name).
/// </summary>
public static class UserNames
{
    public const int MaxLength = 64;

    /// <summary>The name as stored (trimmed, NFC), or why it is refused.</summary>
    public static bool TryNormalise(string? raw, out string name, out string refusal)
    {
        name = "";
        refusal = "";
        if (string.IsNullOrWhiteSpace(raw)) return Refuse("a user needs a name", out refusal);
        if (FirstInvalidUtf16(raw) is { } at) return Refuse($"the name is not valid Unicode (a lone surrogate at position {at + 1})", out refusal);
        var text = raw.Trim().Normalize(NormalizationForm.FormC);
        var length = text.EnumerateRunes().Count();
        if (length > MaxLength) return Refuse($"a name is at most {MaxLength} characters (this one has {length})", out refusal);

        string? script = null;
        var previous = default(Rune?);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (IsLetter(category))
            {
                var own = ScriptOf(rune.Value);
                if (own != null && script != null && own != script)
                    return Refuse($"the name mixes letters of two scripts ({script} and {own}): a name is written in one script", out refusal);
                script ??= own;
            }
            else if (IsMark(category))
            {
                if (previous is not { } p || !(IsLetter(Rune.GetUnicodeCategory(p)) || IsMark(Rune.GetUnicodeCategory(p))))
                    return Refuse($"{Describe(rune)} is a mark with no letter before it", out refusal);
            }
            else if (rune.Value == ' ')
            {
                if (previous?.Value == ' ') return Refuse("a name holds no two spaces in a row", out refusal);
            }
            else if (category != UnicodeCategory.DecimalDigitNumber && rune.Value is not ('.' or '-' or '_' or '\''))
                return Refuse($"{Describe(rune)} is not allowed: a name holds letters, digits, single spaces and . - _ '", out refusal);
            previous = rune;
        }
        if (!text.EnumerateRunes().Any(r => IsLetter(Rune.GetUnicodeCategory(r)) || Rune.GetUnicodeCategory(r) == UnicodeCategory.DecimalDigitNumber))
            return Refuse("a name holds at least one letter or digit", out refusal);
        name = text;
        return true;
    }

    /// <summary>
    /// What a name looks like, for telling names apart: compatibility forms unfolded (NFKD), marks dropped, Cyrillic and
    /// Greek letters that are drawn like Latin ones replaced by them, case folded, digits of every script as ASCII, 0 as
    /// o and 1 as l, apostrophes as '.
    /// </summary>
    public static string Skeleton(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var rune in name.Normalize(NormalizationForm.FormKD).EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (IsMark(category)) continue;
            if (category == UnicodeCategory.DecimalDigitNumber)
            {
                text.Append((int)Rune.GetNumericValue(rune) switch { 0 => 'o', 1 => 'l', var digit => (char)('0' + digit) });
                continue;
            }
            if (rune.IsBmp && LookAlikes.TryGetValue((char)rune.Value, out var latin))
            {
                text.Append(latin);
                continue;
            }
            if (rune.Value is 0x2BC or 0x2018 or 0x2019 or 0x60 or 0xB4)
            {
                text.Append('\'');
                continue;
            }
            text.Append(rune.ToString().ToLowerInvariant() switch { "ß" => "ss", "ς" => "σ", var lower => lower });
        }
        return text.ToString();
    }

    /// <summary>
    /// Whether a name can be recorded as an actor: no control, format, separator other than space, private-use,
    /// surrogate or unassigned character — whatever rules the name was made under.
    /// </summary>
    public static bool IsRecordable(string name) =>
        name.Length > 0 && FirstInvalidUtf16(name) is null && name.EnumerateRunes().All(r => Rune.GetUnicodeCategory(r) is not (
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned));

    private static bool Refuse(string reason, out string refusal)
    {
        refusal = reason;
        return false;
    }

    private static bool IsLetter(UnicodeCategory c) => c is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    private static bool IsMark(UnicodeCategory c) =>
        c is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static int? FirstInvalidUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return i;
        }
        return null;
    }

    private static string Describe(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control => $"U+{rune.Value:X4} (a control character)",
        UnicodeCategory.Format => $"U+{rune.Value:X4} (an invisible format character)",
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => $"U+{rune.Value:X4} (a space other than ' ')",
        UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => $"U+{rune.Value:X4} (an unassigned or private character)",
        _ => $"'{rune}' (U+{rune.Value:X4})",
    };

    /// <summary>
    /// The script of a letter, from the blocks of the scripts names are written in; CJK ideographs, kana and hangul are
    /// one (Japanese and Korean names mix them). Latin's spacing modifier letters (ʼ) belong to every script. A letter of
    /// another block is of a script of its own, named by its block.
    /// </summary>
    private static string? ScriptOf(int c) => c switch
    {
        >= 0x02B0 and <= 0x02FF => null,
        <= 0x024F or (>= 0x0250 and <= 0x02AF) or (>= 0x1D00 and <= 0x1DBF) or (>= 0x1E00 and <= 0x1EFF) or (>= 0x2C60 and <= 0x2C7F)
            or (>= 0xA720 and <= 0xA7FF) or (>= 0xAB30 and <= 0xAB6F) or (>= 0xFB00 and <= 0xFB06) or (>= 0xFF21 and <= 0xFF5A) => "Latin",
        (>= 0x0370 and <= 0x03FF) or (>= 0x1F00 and <= 0x1FFF) => "Greek",
        (>= 0x0400 and <= 0x052F) or (>= 0x1C80 and <= 0x1C8F) or (>= 0x2DE0 and <= 0x2DFF) or (>= 0xA640 and <= 0xA69F) => "Cyrillic",
        (>= 0x0530 and <= 0x058F) or (>= 0xFB13 and <= 0xFB17) => "Armenian",
        (>= 0x0590 and <= 0x05FF) or (>= 0xFB1D and <= 0xFB4F) => "Hebrew",
        (>= 0x0600 and <= 0x06FF) or (>= 0x0750 and <= 0x077F) or (>= 0x0870 and <= 0x08FF) or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF) => "Arabic",
        (>= 0x0900 and <= 0x097F) or (>= 0xA8E0 and <= 0xA8FF) => "Devanagari",
        (>= 0x10A0 and <= 0x10FF) or (>= 0x1C90 and <= 0x1CBF) or (>= 0x2D00 and <= 0x2D2F) => "Georgian",
        (>= 0x1100 and <= 0x11FF) or (>= 0x2E80 and <= 0x2FDF) or (>= 0x3005 and <= 0x3007) or (>= 0x3021 and <= 0x303C) or (>= 0x3040 and <= 0x31FF)
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA960 and <= 0xA97F) or (>= 0xAC00 and <= 0xD7FF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0xFF66 and <= 0xFFDC) or (>= 0x20000 and <= 0x3FFFF) => "Han, kana or hangul",
        (>= 0x1200 and <= 0x139F) or (>= 0x2D80 and <= 0x2DDF) => "Ethiopic",
        (>= 0x13A0 and <= 0x13FF) or (>= 0xAB70 and <= 0xABBF) => "Cherokee",
        (>= 0x1400 and <= 0x167F) or (>= 0x18B0 and <= 0x18FF) => "Canadian syllabics",
        _ => $"the block at U+{c & ~0x7F:X4}",
    };

    /// <summary>Cyrillic and Greek letters drawn like a Latin letter, capitals by their capital (so folded by case after).</summary>
    private static readonly Dictionary<char, char> LookAlikes = new()
    {
        // Cyrillic capitals and small letters
        ['А'] = 'a', ['В'] = 'b', ['Е'] = 'e', ['Ѕ'] = 's', ['І'] = 'i', ['Ј'] = 'j', ['К'] = 'k', ['М'] = 'm', ['Н'] = 'h', ['О'] = 'o',
        ['Р'] = 'p', ['С'] = 'c', ['Т'] = 't', ['Х'] = 'x', ['У'] = 'y', ['Ү'] = 'y', ['Ԛ'] = 'q', ['Ԝ'] = 'w', ['Ӏ'] = 'l',
        ['а'] = 'a', ['е'] = 'e', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x', ['ѕ'] = 's', ['і'] = 'i', ['ј'] = 'j',
        ['ԁ'] = 'd', ['ԛ'] = 'q', ['ԝ'] = 'w', ['һ'] = 'h', ['ӏ'] = 'l', ['ү'] = 'y', ['ѵ'] = 'v',
        // Greek capitals and small letters
        ['Α'] = 'a', ['Β'] = 'b', ['Ε'] = 'e', ['Ζ'] = 'z', ['Η'] = 'h', ['Ι'] = 'i', ['Κ'] = 'k', ['Μ'] = 'm', ['Ν'] = 'n', ['Ο'] = 'o',
        ['Ρ'] = 'p', ['Τ'] = 't', ['Υ'] = 'y', ['Χ'] = 'x',
        ['α'] = 'a', ['γ'] = 'y', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o', ['ρ'] = 'p', ['υ'] = 'u', ['χ'] = 'x',
        // Latin letters drawn like another
        ['ı'] = 'i',
    };
}
