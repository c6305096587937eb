using System.Globalization;
using System.Text;
using ClaimLedger.Audit.Notes;

namespace ClaimLedger.Audit.Tlog;

/// <summary>
/// A c2sp.org/tlog-proof@v1 file: the proof that one entry is in a log, checkable offline: <c>c2sp.org/tlog-proof@v1</c>,
/// an optional <c>extra</c> line, <c>index &lt;i&gt;</c>, the inclusion proof one base64 hash a line, a blank line, and the
/// checkpoint with its cosignatures, verbatim.
/// </summary>
public sealed record TlogProof(long Index, IReadOnlyList<byte[]> Path, string Checkpoint, byte[]? Extra = null)
{
    public const string Header = "c2sp.org/tlog-proof@v1";

    public string Format()
    {
        var text = new StringBuilder(Header).Append('\n');
        if (Extra != null) text.Append("extra ").Append(Convert.ToBase64String(Extra)).Append('\n');
        text.Append("index ").Append(Index.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var hash in Path) text.Append(Convert.ToBase64String(hash)).Append('\n');
        return text.Append('\n').Append(Checkpoint).ToString();
    }

    public static TlogProof? Parse(string text, out string? reason)
    {
        reason = null;
        var lines = text.Split('\n');
        var at = 0;
        if (lines[at++] != Header) return Fail($"the first line is not {Header}", out reason);
        byte[]? extra = null;
        if (at < lines.Length && lines[at].StartsWith("extra ", StringComparison.Ordinal))
        {
            try { extra = Convert.FromBase64String(lines[at++][6..]); }
            catch (FormatException) { return Fail("the extra data is not base64", out reason); }
        }
        if (at >= lines.Length || !lines[at].StartsWith("index ", StringComparison.Ordinal) || !CheckpointBody.IsSize(lines[at][6..], out var index))
            return Fail("an 'index <i>' line follows the header", out reason);
        at++;
        var path = new List<byte[]>();
        for (; at < lines.Length && lines[at].Length > 0; at++)
        {
            if (path.Count == 64) return Fail("an inclusion proof has at most 64 hashes", out reason);
            try { path.Add(Convert.FromBase64String(lines[at])); }
            catch (FormatException) { return Fail($"proof line {path.Count + 1} is not base64", out reason); }
            if (path[^1].Length != 32) return Fail($"proof line {path.Count} is not a 32-byte hash", out reason);
        }
        if (at >= lines.Length) return Fail("a blank line and the checkpoint follow the inclusion proof", out reason);
        return new TlogProof(index, path, string.Join('\n', lines[(at + 1)..]), extra);
    }

    private static TlogProof? Fail(string why, out string? reason)
    {
        reason = why;
        return null;
    }
}
