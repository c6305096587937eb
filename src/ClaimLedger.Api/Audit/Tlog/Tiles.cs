using System.Globalization;
using Npgsql;

namespace ClaimLedger.Audit.Tlog;

/// <summary>
/// A hash tile of c2sp.org/tlog-tiles: <c>&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c>, level L from 0 to 63, index N in 3-digit path
/// elements (all but the last prefixed with <c>x</c>), width W from 1 to 255 for a partial tile.
/// </summary>
public sealed record TileAddress(int Level, long Index, int? Width)
{
    public const int Height = 8;
    public const int FullWidth = 1 << Height;

    public string Path
    {
        get
        {
            var n = Index;
            var elements = new List<string> { (n % 1000).ToString("000", CultureInfo.InvariantCulture) };
            for (n /= 1000; n > 0; n /= 1000) elements.Insert(0, "x" + (n % 1000).ToString("000", CultureInfo.InvariantCulture));
            return $"{Level}/{string.Join('/', elements)}" + (Width is { } w ? $".p/{w}" : "");
        }
    }

    /// <summary>The tile a path names, in its one canonical spelling; null for any other path.</summary>
    public static TileAddress? Parse(string? path)
    {
        var parts = (path ?? "").Split('/');
        if (parts.Length < 2 || !Canonical(parts[0], 0, 63, out var level)) return null;
        var index = parts[1..];
        int? width = null;
        if (index.Length >= 2 && index[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!Canonical(index[^1], 1, FullWidth - 1, out var w)) return null;
            width = (int)w;
            index = [.. index[..^2], index[^2][..^2]];
        }
        long n = 0;
        for (var i = 0; i < index.Length; i++)
        {
            var element = index[i];
            var last = i == index.Length - 1;
            if (!last && (element.Length != 4 || element[0] != 'x' || (i == 0 && element == "x000"))) return null;
            var digits = last ? element : element[1..];
            if (digits.Length != 3 || !digits.All(char.IsAsciiDigit)) return null;
            try { n = checked(n * 1000 + int.Parse(digits, CultureInfo.InvariantCulture)); }
            catch (OverflowException) { return null; }
        }
        return new TileAddress((int)level, n, width);
    }

    private static bool Canonical(string text, long min, long max, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0') &&
               long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    /// <summary>
    /// The tile's hashes, concatenated: at level 0 leaf hashes, above the roots of perfect subtrees of 2^(8L) leaves, the
    /// stored nodes at that height. Null when the tree does not have them all yet (or ever: past the tree's 2^63 leaves).
    /// </summary>
    public async Task<byte[]?> ReadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var width = Width ?? FullWidth;
        var height = Height * Level;
        if (height > 62 || Index > (long.MaxValue >> (height + Height))) return null;
        var first = Index * FullWidth;
        await using var command = Level == 0
            ? new NpgsqlCommand($"select leaf_hash from {LedgerSchema.Leaves} where leaf_index >= @a and leaf_index < @b order by leaf_index", connection)
            : new NpgsqlCommand($"select hash from {LedgerSchema.Nodes} where level = @l and node_index >= @a and node_index < @b order by node_index", connection);
        command.Parameters.AddWithValue("l", height);
        command.Parameters.AddWithValue("a", first);
        command.Parameters.AddWithValue("b", first + width);
        var tile = new byte[width * 32];
        var count = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (count == width) return null;
            ((byte[])reader[0]).CopyTo(tile, count++ * 32);
        }
        return count == width ? tile : null;
    }
}
