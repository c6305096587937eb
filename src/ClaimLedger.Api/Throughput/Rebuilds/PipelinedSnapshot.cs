using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.Events.Subscriptions;
using Marten;
using Marten.Events.Aggregation;

namespace ClaimLedger.Throughput.Rebuilds;

/// <summary>
/// A single-stream snapshot whose daemon ranges (a rebuild: inline, it is Marten's own) go through
/// <see cref="RangePipeline"/>: the next range is folded while the previous one is written, the documents of recent
/// ranges are carried in memory, and each range's documents are written in one statement with their stream versions
/// (<see cref="DocumentRows"/>). The fold is the aggregate's own Create and Apply methods, run through Marten's
/// aggregation steps (the same decisions and metadata as Marten's aggregation runner).
/// <para>
/// Why: Marten's own execution folds a range, writes it (a statement per document) and only then folds the next, so
/// the process and PostgreSQL take turns. Measured in one <c>--rebuild --paths</c> run: see <see cref="RebuildPath"/>.
/// ClaimRebuildPathTests pins the documents it writes to those of Marten's own rebuild.
/// </para>
/// </summary>
public sealed class PipelinedSnapshot<TDoc> : SingleStreamProjection<TDoc, Guid>, ISubscriptionFactory<IDocumentOperations, IQuerySession>
    where TDoc : class
{
    private readonly Func<TDoc, Guid> _idOf;
    private readonly Func<TDoc, long> _versionOf;

    /// <param name="name">The projection's name, as Marten's own registration of the snapshot names it.</param>
    /// <param name="idOf">The document's id (its stream's).</param>
    /// <param name="versionOf">The stream version the document is at (Marten's version column for a snapshot).</param>
    public PipelinedSnapshot(string name, Func<TDoc, Guid> idOf, Func<TDoc, long> versionOf)
    {
        Name = name;
        (_idOf, _versionOf) = (idOf, versionOf);
    }

    /// <summary>
    /// How many folded documents a rebuild carries before it forgets those of older ranges (which are committed by then,
    /// and loaded back when their streams come up again). Bounded so that a long rebuild does not hold every document.
    /// </summary>
    internal int CarriedDocuments { get; set; } = 50_000;

    ISubscriptionExecution ISubscriptionFactory<IDocumentOperations, IQuerySession>.BuildExecution(
        IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILoggerFactory loggerFactory, ShardName shardName) =>
        new RangePipeline.Execution(shardName, store, database, new Replay(this).ApplyAsync, Options, loggerFactory.CreateLogger<RangePipeline>());

    ISubscriptionExecution ISubscriptionFactory<IDocumentOperations, IQuerySession>.BuildExecution(
        IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILogger logger, ShardName shardName) =>
        new RangePipeline.Execution(shardName, store, database, new Replay(this).ApplyAsync, Options, logger);

    /// <summary>
    /// Folds the daemon's ranges, one at a time and in order, as Marten's aggregation runner does (the same decisions
    /// and metadata, through the projection's own interface), except for where a document's previous state comes from:
    /// the ranges before may not be committed yet, so the documents they folded are carried in memory.
    /// </summary>
    private sealed class Replay(PipelinedSnapshot<TDoc> projection)
    {
        // Only the two ranges before the one being folded can be uncommitted (one being written, one waiting).
        private const int KeptRanges = 8;

        private readonly IAggregationProjection<TDoc, Guid, IDocumentOperations, IQuerySession> _fold = projection;
        private readonly Dictionary<Guid, (TDoc? Document, int Range)> _carried = new();
        private long _lastSequence;
        private int _range;

        public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
        {
            if (events.Count == 0) return;
            // A range at or before the last one folded: the shard started again from its committed progress, and what
            // is carried may be ahead of what is stored.
            if (events.Min(e => e.Sequence) <= _lastSequence) _carried.Clear();
            _lastSequence = events.Max(e => e.Sequence);
            Forget(++_range);

            var storage = await operations.FetchProjectionStorageAsync<TDoc, Guid>(operations.TenantId, ct);
            var streams = events.OrderBy(e => e.Sequence).GroupBy(e => e.StreamId).Select(s => s.ToList()).ToList();
            // A stream whose first event is in this range has no earlier state anywhere.
            var unknown = streams.Where(s => s[0].Version > 1 && !_carried.ContainsKey(s[0].StreamId)).Select(s => s[0].StreamId).ToArray();
            var stored = unknown.Length == 0 ? null : await storage.LoadManyAsync(unknown, ct);

            var changed = new List<TDoc>(streams.Count);
            foreach (var stream in streams)
            {
                var id = stream[0].StreamId;
                var before = _carried.TryGetValue(id, out var carried) ? carried.Document : stored?.GetValueOrDefault(id);
                var after = await FoldAsync(operations, storage, id, before, stream, changed, ct);
                _carried[id] = (after, _range);
            }
            // One statement for the range's documents: Marten's one statement per document made PostgreSQL's share of a
            // range (the write the next range waits for) mostly statement overhead.
            DocumentRows.Upsert(operations, changed, projection._idOf, projection._versionOf);
        }

        /// <summary>
        /// The document after the stream's events in this range, added to <paramref name="changed"/> to be stored, or
        /// deleted as the projection decides.
        /// </summary>
        private async Task<TDoc?> FoldAsync(IDocumentOperations operations, IProjectionStorage<TDoc, Guid> storage, Guid id,
            TDoc? before, IReadOnlyList<IEvent> events, List<TDoc> changed, CancellationToken ct)
        {
            if (_fold.MatchesAnyDeleteType(events))
            {
                storage.Delete(id);
                return null;
            }
            var (decided, action) = await _fold.DetermineActionAsync(operations, before, id, storage, events, ct);
            if (action == ActionType.Nothing) return before;
            var (lastEvent, after) = _fold.TryApplyMetadata(events, decided, id, storage);
            switch (action)
            {
                case ActionType.Store:
                    changed.Add(after!);
                    return after;
                case ActionType.UnDeleteAndStore:
                    storage.UnDelete(after!);
                    storage.StoreProjection(after!, lastEvent, _fold.Scope);
                    return after;
                case ActionType.StoreThenSoftDelete:
                    storage.StoreProjection(after!, lastEvent, _fold.Scope);
                    storage.Delete(id);
                    return null;
                case ActionType.HardDelete:
                    storage.HardDelete(after!);
                    return null;
                default:
                    storage.Delete(id);
                    return null;
            }
        }

        /// <summary>Documents folded before the last few ranges are surely committed: past the capacity, they go.</summary>
        private void Forget(int range)
        {
            if (_carried.Count <= projection.CarriedDocuments) return;
            foreach (var (id, (_, folded)) in _carried.ToList())
                if (folded < range - KeptRanges) _carried.Remove(id);
        }
    }
}
