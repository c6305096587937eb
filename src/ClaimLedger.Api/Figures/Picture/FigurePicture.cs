using System.Text.Json.Serialization;
using ClaimLedger.Claims;

namespace ClaimLedger.Figures.Picture;

/// <summary>One originator's latest standing claim on a figure.</summary>
public sealed record FigureEntry(
    string AttributedTo, ClaimValue? Value, Guid ClaimId, Guid SourceId, ClaimStatus Status,
    DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo, DateTimeOffset RecordedAt);

public sealed record FigureRange(decimal Low, decimal High);

/// <summary>
/// The current picture of a figure: its definition, one entry per originator (its latest standing claim), the range
/// across them, and how often and when it last changed. Kept by <see cref="FigurePictureProjection"/>.
/// </summary>
public record FigurePicture
{
    public Guid Id { get; init; }
    public string Title { get; init; } = "";
    public string Metric { get; init; } = "";
    public string Unit { get; init; } = "";
    public string? Place { get; init; }
    public string? Topic { get; init; }
    public IReadOnlyList<FigureEntry> Current { get; init; } = [];
    public FigureRange? Range { get; init; }
    public long RevisionCount { get; init; }
    public DateTimeOffset? LastChangedAt { get; init; }
    /// <summary>Set on as-of answers: the time the picture was asked for.</summary>
    public DateTimeOffset? AsOf { get; init; }
    /// <summary>Every originator key that ever had a claim on the figure: what an as-of answer must look up.</summary>
    [JsonPropertyName("originatorKeys")]
    public IReadOnlyList<string> OriginatorKeys { get; init; } = [];
    /// <summary>Per originator, the revision that added the claim of its entry: which claim is newer, without a lookup.</summary>
    public IReadOnlyDictionary<string, long> EntryRevisions { get; init; } = new Dictionary<string, long>();

    public static FigureRange? RangeOf(IEnumerable<FigureEntry> entries)
    {
        var bounds = entries.Where(e => e.Value != null)
            .Select(e => (Low: e.Value!.Low ?? e.Value.Amount, High: e.Value.High ?? e.Value.Amount)).ToList();
        return bounds.Count == 0 ? null : new FigureRange(bounds.Min(b => b.Low), bounds.Max(b => b.High));
    }

    public FigurePicture WithEntry(string originatorKey, FigureEntry? entry, long? entryRevision = null)
    {
        var revisions = new Dictionary<string, long>(EntryRevisions);
        if (entry is null || entryRevision is null) revisions.Remove(originatorKey);
        else revisions[originatorKey] = entryRevision.Value;
        var current = Current.Where(e => FigureClaim.KeyOf(e.AttributedTo) != originatorKey).ToList();
        if (entry != null) current.Add(entry);
        current.Sort((a, b) => string.CompareOrdinal(FigureClaim.KeyOf(a.AttributedTo), FigureClaim.KeyOf(b.AttributedTo)));
        return this with
        {
            Current = current,
            Range = RangeOf(current),
            OriginatorKeys = OriginatorKeys.Contains(originatorKey) ? OriginatorKeys : [.. OriginatorKeys, originatorKey],
            EntryRevisions = revisions,
        };
    }
}
