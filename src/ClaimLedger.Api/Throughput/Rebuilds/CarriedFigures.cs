using ClaimLedger.Figures;
using ClaimLedger.Figures.Picture;
using JasperFx.Events;
using Marten;

namespace ClaimLedger.Throughput.Rebuilds;

/// <summary>
/// What the figure projections' recent daemon ranges wrote, for a range applied through <see cref="RangePipeline"/>
/// while those ranges are still being written (not yet visible to queries), and how such a range writes its documents:
/// a few multi-row statements (<see cref="DocumentRows"/>) instead of Marten's statement per document.
/// </summary>
/// <remarks>
/// Why: the revision history writes hundreds of revisions, entry changes, claims and pictures per range; in Marten's own
/// execution reading, applying and writing take turns and each document is a statement of its own. Measured in one
/// <c>--rebuild --paths</c> run (docs/benchmarks.md): see <see cref="RebuildPath"/>. The fold itself is
/// <see cref="FigureTimeline{TPicture,TClaim}"/>'s, the same for both paths; FigureRebuildPathTests pins the documents
/// this path writes to those of Marten's own execution.
/// </remarks>
public sealed class CarriedFigures(string shardName)
{
    // Enough for a rebuild to find recent claims in memory; bounded, as a node may run the history for months.
    private const int Capacity = 25_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _generation;
    private long _lastSequence;
    public readonly Dictionary<Guid, (FigureClaim Claim, int Generation)> Claims = new();
    public readonly Dictionary<Guid, (FigurePicture Picture, int Generation)> Pictures = new();
    public readonly Dictionary<(Guid Figure, string Key), HashSet<Guid>> ByOriginator = new();

    /// <summary>
    /// Starts a range: forgets everything when it does not follow the last range applied (a new rebuild, a retry) or when
    /// another node moved the projection past it meanwhile. Ranges of one projection are applied one at a time.
    /// </summary>
    public async Task<IDisposable> BeginAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (events.Count == 0) return new Turn(_gate);
            if (events.Min(e => e.Sequence) <= _lastSequence || await ProgressAsync(operations, ct) > _lastSequence) Clear();
            _lastSequence = events.Max(e => e.Sequence);
            _generation++;
            Forget();
            return new Turn(_gate);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    /// <summary>The range's documents, in one statement per document type, remembered for the ranges after it.</summary>
    public void Write<TPicture, TClaim>(IDocumentOperations operations, IReadOnlyCollection<TPicture> pictures, IReadOnlyCollection<TClaim> claims,
        IReadOnlySet<Guid> submitted, IReadOnlyCollection<FigureRevision> revisions, IReadOnlyCollection<FigureEntryChange> entryChanges,
        Func<Guid, FigureClaim?> loaded) where TPicture : FigurePicture where TClaim : FigureClaim
    {
        // Revisions and entry changes are written once: a second one under the same id fails the range.
        DocumentRows.Insert(operations, revisions, r => r.Id);
        DocumentRows.Insert(operations, entryChanges, c => c.Id);
        DocumentRows.Upsert(operations, pictures, p => p.Id);
        // A claim submitted in this range has no row yet: a plain insert, cheaper than an upsert.
        var isNew = claims.ToLookup(c => submitted.Contains(c.Id));
        DocumentRows.Insert(operations, isNew[true].ToList(), c => c.Id);
        DocumentRows.Upsert(operations, isNew[false].ToList(), c => c.Id);
        foreach (var picture in pictures) Pictures[picture.Id] = (picture, _generation);
        foreach (var claim in claims) Remember(claim, Claims.TryGetValue(claim.Id, out var old) ? old.Claim : loaded(claim.Id));
    }

    private void Remember(FigureClaim claim, FigureClaim? replaced)
    {
        if (replaced != null && ByOriginator.TryGetValue((replaced.FigureId, replaced.OriginatorKey), out var old)) old.Remove(claim.Id);
        Claims[claim.Id] = (claim, _generation);
        var key = (claim.FigureId, claim.OriginatorKey);
        if (!ByOriginator.TryGetValue(key, out var ids)) ByOriginator[key] = ids = [];
        ids.Add(claim.Id);
    }

    private void Clear()
    {
        Claims.Clear();
        Pictures.Clear();
        ByOriginator.Clear();
        _lastSequence = 0;
    }

    /// <summary>
    /// Only the last few ranges can be uncommitted; older entries are kept for speed. Past the capacity, or every 16
    /// ranges for entries older than 64 (a node that follows live traffic for months), they go.
    /// </summary>
    private void Forget()
    {
        var keep = Claims.Count > Capacity ? 4 : _generation % 16 == 0 ? 64 : -1;
        if (keep < 0) return;
        foreach (var (id, (claim, generation)) in Claims.ToList())
            if (generation < _generation - keep)
            {
                Claims.Remove(id);
                if (ByOriginator.TryGetValue((claim.FigureId, claim.OriginatorKey), out var ids)) ids.Remove(id);
            }
        foreach (var (id, (_, generation)) in Pictures.ToList())
            if (generation < _generation - keep) Pictures.Remove(id);
    }

    /// <summary>How far the projection's committed progress is: past what this node applied, another node ran it.</summary>
    private async Task<long> ProgressAsync(IDocumentOperations operations, CancellationToken ct)
    {
        var rows = await operations.QueryAsync<long>(
            $"select last_seq_id from {operations.DocumentStore.Options.Events.DatabaseSchemaName}.mt_event_progression where name = ?", ct, shardName);
        return rows.Count == 0 ? 0 : rows[0];
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
