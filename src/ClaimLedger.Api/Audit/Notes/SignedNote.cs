using System.Buffers.Binary;
using System.Text;

namespace ClaimLedger.Audit.Notes;

/// <summary>One signature line of a note: <c>— &lt;key name&gt; base64(key ID || signature)</c>.</summary>
public sealed record NoteSignature(string KeyName, uint KeyId, byte[] Signature)
{
    public string Line => $"\u2014 {KeyName} {Convert.ToBase64String([.. KeyIdBytes(KeyId), .. Signature])}";

    public static byte[] KeyIdBytes(uint keyId)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, keyId);
        return bytes;
    }

    /// <summary>A signature line as c2sp.org/signed-note writes it (without its newline), or null when it is not one.</summary>
    public static NoteSignature? Parse(string line)
    {
        if (!line.StartsWith("\u2014 ", StringComparison.Ordinal)) return null;
        var rest = line[2..];
        var space = rest.IndexOf(' ');
        if (space <= 0 || space != rest.LastIndexOf(' ')) return null;
        var name = rest[..space];
        if (!SignedNote.IsKeyName(name)) return null;
        byte[] bytes;
        try { bytes = Convert.FromBase64String(rest[(space + 1)..]); }
        catch (FormatException) { return null; }
        if (bytes.Length < 5) return null;
        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4..]);
    }
}

/// <summary>
/// A signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then one signature line or more. The
/// text is separated from the signatures by the last blank line.
/// </summary>
public sealed record SignedNote(string Text, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>More than any honest note carries (the spec asks for at least 16); a bound on what a request can make us verify.</summary>
    public const int MaxSignatures = 64;

    public override string ToString()
    {
        var note = new StringBuilder(Text).Append('\n');
        foreach (var signature in Signatures) note.Append(signature.Line).Append('\n');
        return note.ToString();
    }

    /// <summary>Key names are non-empty and hold no Unicode space, no <c>+</c> and no control character.</summary>
    public static bool IsKeyName(string name) =>
        name.Length > 0 && !name.Any(c => c == '+' || char.IsWhiteSpace(c) || char.IsControl(c) || c == '\u2014');

    /// <summary>Parses a note; the reason when it is not one.</summary>
    public static SignedNote? Parse(string note, out string? reason)
    {
        reason = null;
        if (note.Any(c => c < 0x20 && c != '\n') || note.Contains('\uFFFD'))
        {
            reason = "a note holds no control characters other than newline";
            return null;
        }
        if (!note.EndsWith('\n'))
        {
            reason = "a note ends with a newline";
            return null;
        }
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            reason = "a note has a blank line between its text and its signatures";
            return null;
        }
        if (split + 2 >= note.Length)
        {
            reason = "a note carries one signature or more";
            return null;
        }
        var text = note[..(split + 1)];
        var lines = note[(split + 2)..^1].Split('\n');
        if (lines.Length > MaxSignatures)
        {
            reason = $"a note carries at most {MaxSignatures} signatures here";
            return null;
        }
        var signatures = new List<NoteSignature>();
        foreach (var line in lines)
        {
            if (NoteSignature.Parse(line) is not { } signature)
            {
                reason = $"'{Shorten(line)}' is not a signature line (— <key name> <base64>)";
                return null;
            }
            signatures.Add(signature);
        }
        return new SignedNote(text, signatures);
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
