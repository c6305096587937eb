using System.Globalization;

namespace ClaimLedger.Audit.Notes;

/// <summary>
/// The note text of a checkpoint (c2sp.org/tlog-checkpoint): the origin, the tree size in decimal, the base64 root hash,
/// each on its own line, then any extension lines (kept in <see cref="Text"/>, which is what is signed).
/// </summary>
public sealed record CheckpointBody(string Origin, long TreeSize, byte[] RootHash, string Text)
{
    public static string Format(string origin, long treeSize, byte[] rootHash) =>
        $"{origin}\n{treeSize.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(rootHash)}\n";

    public static CheckpointBody? Parse(string text, out string? reason)
    {
        reason = null;
        var lines = text.Split('\n');
        // A text ends with its newline: the last piece is empty, every other is a non-empty line.
        if (lines.Length < 4 || lines[^1].Length != 0 || lines[..^1].Any(l => l.Length == 0))
            return Fail("a checkpoint is at least three non-empty lines: origin, tree size, root hash", out reason);
        var origin = lines[0];
        if (!IsSize(lines[1], out var size)) return Fail($"'{lines[1]}' is not a tree size (a decimal without leading zeroes)", out reason);
        byte[] root;
        try { root = Convert.FromBase64String(lines[2]); }
        catch (FormatException) { return Fail("the root hash is not base64", out reason); }
        if (root.Length != 32) return Fail("the root hash is not 32 bytes", out reason);
        return new CheckpointBody(origin, size, root, text);
    }

    /// <summary>ASCII decimal, no sign, no leading zero unless it is 0.</summary>
    public static bool IsSize(string text, out long size)
    {
        size = 0;
        if (text.Length == 0 || text.Length > 19 || (text.Length > 1 && text[0] == '0') || text.Any(c => c is < '0' or > '9')) return false;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }

    private static CheckpointBody? Fail(string why, out string? reason)
    {
        reason = why;
        return null;
    }
}
