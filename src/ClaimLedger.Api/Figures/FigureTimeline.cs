using ClaimLedger.Claims;
using ClaimLedger.Figures.Picture;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using ClaimLedger.Throughput.GroupCommit;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.Figures;

/// <summary>
/// Follows the claims on every figure in the order their writers were serialised (<see cref="FigureLock"/> is taken
/// before Marten numbers the events, so sequence order is apply order on every figure): each figure's entries per
/// originator, its revision count, and what it knows of each claim. Two projections share it: the current picture,
/// inline, so a read after a 2xx write shows it; and the revision history, which the daemon keeps off the write path
/// with a copy of that state of its own (its position trails the inline one). Both number revisions with the same
/// rule in the same order, so the history's revision N is the picture's revision N.
/// </summary>
/// <typeparam name="TPicture">Where this projection keeps each figure's state.</typeparam>
/// <typeparam name="TClaim">Where this projection keeps what it knows of each claim on a figure.</typeparam>
public abstract class FigureTimeline<TPicture, TClaim>(string name, bool keepsHistory,
    Func<FigurePicture, TPicture> asPicture, Func<FigureClaim, TClaim> asClaim) : IProjection, IFollowingRanges
    where TPicture : FigurePicture where TClaim : FigureClaim
{
    /// <summary>What recent ranges wrote, when the daemon's ranges are pipelined (<see cref="RangePipeline"/>).</summary>
    private readonly CarriedFigures _carried = new($"{name}:All");
    /// <summary>Whether every revision and every entry change is stored as a document of its own.</summary>
    private readonly bool _keepsHistory = keepsHistory;
    private readonly Func<FigurePicture, TPicture> _asPicture = asPicture;
    private readonly Func<FigureClaim, TClaim> _asClaim = asClaim;

    /// <summary>
    /// Marten's own path: inline, every batch is one transaction that holds the figure locks; in Marten's daemon
    /// execution every range is committed before the next is applied. Either way the stored documents are the truth.
    /// </summary>
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct) =>
        ApplyAsync(operations, events, null, ct);

    /// <summary>
    /// Through <see cref="RangePipeline"/>: ranges are applied in order but committed behind, so what the previous ranges
    /// wrote may not be visible yet, and their documents are carried over in memory.
    /// </summary>
    public async Task ApplyFollowingAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        using var turn = await _carried.BeginAsync(operations, events, ct);
        await ApplyAsync(operations, events, _carried, ct);
    }

    private async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CarriedFigures? carried, CancellationToken ct)
    {
        var batch = new Batch(this, operations, carried);
        await batch.PrefetchAsync(events, ct);
        // Inline, events come in the order they were appended (their sequence numbers are not known yet).
        foreach (var e in events.OrderBy(e => e.Sequence)) await batch.ApplyAsync(e, ct);
        batch.Store();
    }

    /// <summary>The documents one batch of events touches, loaded once and stored once.</summary>
    private sealed class Batch(FigureTimeline<TPicture, TClaim> projection, IDocumentOperations operations, CarriedFigures? carried)
    {
        private readonly Dictionary<Guid, FigurePicture?> _pictures = new();
        private readonly Dictionary<Guid, FigureClaim?> _claims = new();
        private readonly Dictionary<Guid, FigureClaim?> _loaded = new();
        private readonly HashSet<Guid> _changedClaims = [];
        /// <summary>Claims submitted in this batch: nothing is stored under their ids yet.</summary>
        private readonly HashSet<Guid> _submittedClaims = [];
        private readonly List<FigureRevision> _revisions = [];
        private readonly List<FigureEntryChange> _entryChanges = [];

        public async Task PrefetchAsync(IReadOnlyList<IEvent> events, CancellationToken ct)
        {
            // Inline, the write may already have read these under its figure lock, in its transaction (FigureLock), or
            // counted on the ones this node committed, checked under the lock (CommittedPictures).
            var underLock = carried == null && typeof(TPicture) == typeof(FigurePicture) ? ReadUnderLock.Find(operations) : null;
            var claimIds = events.Where(e => e.Data is not (ClaimSubmitted or FigureDefined or Sources.SourceRegistered))
                .Select(e => e.StreamId).Distinct().Where(id => carried?.Claims.ContainsKey(id) != true).ToList();
            if (underLock != null) claimIds.RemoveAll(id => Taken(underLock.Claims, id, _loaded));
            if (claimIds.Count > 0)
                foreach (var c in await operations.LoadManyAsync<TClaim>(ct, claimIds.ToArray())) _loaded[c.Id] = c;
            var figureIds = _loaded.Values.OfType<FigureClaim>().Select(c => c.FigureId)
                .Concat(events.Select(e => e.Data).OfType<ClaimSubmitted>().Where(s => s.FigureId != null).Select(s => s.FigureId!.Value))
                .Distinct().Where(id => carried?.Pictures.ContainsKey(id) != true).ToList();
            if (underLock != null) figureIds.RemoveAll(id => Taken(underLock.Pictures, id, _pictures));
            if (figureIds.Count > 0)
                foreach (var p in await operations.LoadManyAsync<TPicture>(ct, figureIds.ToArray())) _pictures[p.Id] = p;
        }

        /// <summary>Takes a document the write read under its lock (found or known missing) instead of loading it.</summary>
        private static bool Taken<T>(Dictionary<Guid, Task<T?>> reads, Guid id, Dictionary<Guid, T?> into) where T : class
        {
            if (!reads.TryGetValue(id, out var read) || !read.IsCompletedSuccessfully) return false;
            into[id] = read.Result;
            return true;
        }

        public async Task ApplyAsync(IEvent e, CancellationToken ct)
        {
            switch (e.Data)
            {
                case FigureDefined d:
                    _pictures[d.FigureId] = new FigurePicture
                    {
                        Id = d.FigureId, Title = d.Title, Metric = d.Metric, Unit = d.Unit, Place = d.Place, Topic = d.Topic,
                    };
                    return;
                case ClaimSubmitted { FigureId: { } figureId } s:
                {
                    var submitted = Claim.Create((IEvent<ClaimSubmitted>)e);
                    var after = FigureClaim.From(submitted, 0); // its revision number is given when it is recorded
                    await RecordAsync(e, figureId, null, after, RevisionChange.ClaimAdded, null, s.SourceId, ct);
                    return;
                }
                case ClaimSubmitted:
                    return; // a claim on no figure is in no picture
            }

            if (e.Data is not (EvidenceAttached or DisputeOpened or DisputeResolved or VerdictRecorded or ClaimCorrected or ClaimRetracted or ClaimSuperseded))
                return;
            var before = await ClaimAsync(e.StreamId, ct);
            if (before is null) return; // not a claim on a figure
            var state = before.ToClaim().Folding([e.Data], e.UserName ?? "", e.Timestamp);
            var afterClaim = FigureClaim.From(state, before.SubmittedRevision);
            var (change, reason, source) = e.Data switch
            {
                EvidenceAttached x => (RevisionChange.EvidenceAttached, x.Note, x.SourceId),
                DisputeOpened x => (RevisionChange.Disputed, x.Reason, x.SourceId ?? before.SourceId),
                DisputeResolved x => (RevisionChange.DisputeResolved, $"{x.Outcome.ToString().ToLowerInvariant()}: {x.Note}", before.SourceId),
                VerdictRecorded x => (RevisionChange.Verdict, x.Note, before.SourceId),
                ClaimCorrected x => (RevisionChange.ValueCorrected, x.Reason, before.SourceId),
                ClaimRetracted x => (RevisionChange.Retracted, x.Reason, before.SourceId),
                ClaimSuperseded x => (RevisionChange.Superseded, $"superseded by the claim {x.SupersededBy}", before.SourceId),
                _ => throw new InvalidOperationException(e.Data.GetType().Name),
            };
            await RecordAsync(e, before.FigureId, before, afterClaim, change, reason, source, ct);
        }

        private async Task RecordAsync(IEvent e, Guid figureId, FigureClaim? before, FigureClaim after, RevisionChange change,
            string? reason, Guid sourceId, CancellationToken ct)
        {
            var picture = await PictureAsync(figureId, ct);
            if (picture is null) return;
            var revision = picture.RevisionCount + 1;
            // Claims are ordered by the revision that added them: the order the figure's writers were serialised in,
            // live and in a rebuild alike (event sequence numbers are not known yet to an inline projection).
            if (before is null)
            {
                after = after with { SubmittedRevision = revision };
                _submittedClaims.Add(after.Id);
            }
            _claims[after.Id] = after;
            _changedClaims.Add(after.Id);

            var record = new FigureRevision
            {
                Id = FigureRevision.IdFor(figureId, revision), FigureId = figureId, Revision = revision,
                RecordedAt = e.Timestamp, Actor = e.UserName ?? "", ClaimId = after.Id, AttributedTo = after.AttributedTo,
                Change = change, PreviousValue = before != null && before.Value != after.Value ? before.Value : null,
                Value = after.Value, Status = after.Status, SourceId = sourceId, Reason = reason,
            };
            picture = picture with { RevisionCount = revision, LastChangedAt = e.Timestamp };

            foreach (var key in new[] { before?.OriginatorKey, after.OriginatorKey }.OfType<string>().Distinct())
            {
                var previous = picture.Current.FirstOrDefault(c => FigureClaim.KeyOf(c.AttributedTo) == key);
                var (entry, entryRevision) = await EntryAfterAsync(picture, key, previous, after, ct);
                if (entry == previous && picture.OriginatorKeys.Contains(key)) continue;
                picture = picture.WithEntry(key, entry, entryRevision);
                // The revision carries the entry it changed; only a correction that moves a claim to another originator
                // changes a second entry, which gets a document of its own.
                if (record.EntryKey is null) record = record with { EntryKey = key, Entry = entry };
                else if (projection._keepsHistory) _entryChanges.Add(new FigureEntryChange
                {
                    Id = $"{FigureRevision.IdFor(figureId, revision)}/{key}", FigureId = figureId, OriginatorKey = key,
                    Revision = revision, Entry = entry,
                });
            }
            if (projection._keepsHistory) _revisions.Add(record);
            _pictures[figureId] = picture;
        }

        /// <summary>
        /// The originator's entry after one claim changed: usually decided from the entry and the claim alone; only
        /// when the entry's own claim stops standing (or changes originator) is the next standing one looked up.
        /// </summary>
        private async Task<(FigureEntry? Entry, long? Revision)> EntryAfterAsync(FigurePicture picture, string key, FigureEntry? previous,
            FigureClaim changed, CancellationToken ct)
        {
            var changedHere = changed.OriginatorKey == key;
            (FigureEntry?, long?) Changed() => (changed.ToEntry(), changed.SubmittedRevision);
            if (previous is null)
                return changedHere && changed.Standing ? Changed() : (null, null);
            var previousRevision = picture.EntryRevisions.TryGetValue(key, out var r) ? r : (await ClaimAsync(previous.ClaimId, ct))?.SubmittedRevision;
            if (previous.ClaimId != changed.Id)
            {
                if (!changedHere || !changed.Standing) return (previous, previousRevision);
                return previousRevision is null || changed.SubmittedRevision > previousRevision ? Changed() : (previous, previousRevision);
            }
            if (changedHere && changed.Standing) return Changed();
            var next = await LatestStandingAsync(picture.Id, key, ct);
            return (next?.ToEntry(), next?.SubmittedRevision);
        }

        /// <summary>
        /// The originator's latest standing claim on the figure: what this batch and recent ranges know first, then what
        /// is stored, newest first (an index walk that stops at the first standing claim).
        /// </summary>
        private async Task<FigureClaim?> LatestStandingAsync(Guid figureId, string key, CancellationToken ct)
        {
            var known = _claims.Values.OfType<FigureClaim>().ToList();
            if (carried != null && carried.ByOriginator.TryGetValue((figureId, key), out var recent))
                known.AddRange(recent.Where(id => !_claims.ContainsKey(id)).Select(id => carried.Claims[id].Claim));
            var best = known.Where(c => c.FigureId == figureId && c.OriginatorKey == key && c.Standing).MaxBy(c => c.SubmittedRevision);
            var below = long.MaxValue;
            while (true)
            {
                var page = await operations.Query<TClaim>()
                    .Where(c => c.FigureId == figureId && c.OriginatorKey == key && c.Standing && c.SubmittedRevision < below)
                    .OrderByDescending(c => c.SubmittedRevision).Take(20).ToListAsync(ct);
                foreach (var stored in page)
                {
                    if (best != null && stored.SubmittedRevision <= best.SubmittedRevision) return best;
                    // A newer state known in memory wins over what is stored.
                    if (_claims.ContainsKey(stored.Id) || carried?.Claims.ContainsKey(stored.Id) == true) continue;
                    return stored;
                }
                if (page.Count < 20) return best;
                below = page[^1].SubmittedRevision;
            }
        }

        private async Task<FigureClaim?> ClaimAsync(Guid id, CancellationToken ct)
        {
            if (_claims.TryGetValue(id, out var known)) return known;
            if (carried != null && carried.Claims.TryGetValue(id, out var recent)) return _claims[id] = recent.Claim;
            if (_loaded.TryGetValue(id, out var loaded)) return _claims[id] = loaded;
            return _claims[id] = await operations.LoadAsync<TClaim>(id, ct);
        }

        private async Task<FigurePicture?> PictureAsync(Guid id, CancellationToken ct)
        {
            if (_pictures.TryGetValue(id, out var known)) return known;
            if (carried != null && carried.Pictures.TryGetValue(id, out var recent)) return _pictures[id] = recent.Picture;
            return _pictures[id] = await operations.LoadAsync<TPicture>(id, ct);
        }

        public void Store()
        {
            var pictures = _pictures.Values.OfType<FigurePicture>().Select(projection._asPicture).ToList();
            var claims = _changedClaims.Select(id => projection._asClaim(_claims[id]!)).ToList();
            if (carried != null)
            {
                carried.Write(operations, pictures, claims, _submittedClaims, _revisions, _entryChanges, id => _loaded.GetValueOrDefault(id));
                return;
            }
            // Only the history keeps revisions and entry changes. Both are written once (an insert): the range that stores
            // them also moves the projection's progress past their events.
            foreach (var revision in _revisions) operations.Insert(revision);
            foreach (var change in _entryChanges) operations.Insert(change);
            foreach (var picture in pictures) operations.Store(picture);
            foreach (var claim in claims) operations.Store(claim);
        }
    }
}
