using ClaimLedger.Claims;
using ClaimLedger.Figures.Picture;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ClaimLedger.Figures;

/// <summary>
/// Keeps, for every figure, its current picture, the dense revision history of every claim on it, and the changes
/// to each originator's entry that as-of answers replay. Inline, so a read after a 2xx write shows it; writers to
/// one figure are serialised (<see cref="FigureLock"/>) before their events get sequence numbers, so the order the
/// events are numbered in is the order they were applied in, and a rebuild (which replays in sequence order)
/// yields the same documents.
/// </summary>
public sealed class FigureHistoryProjection : IProjection
{
    public const string Name = "FigureHistory";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var batch = new Batch(operations);
        await batch.PrefetchAsync(events, ct);
        foreach (var e in events.OrderBy(e => e.Sequence)) await batch.ApplyAsync(e, ct);
        batch.Store();
    }

    /// <summary>The documents one batch of events touches, loaded once and stored once.</summary>
    private sealed class Batch(IDocumentOperations operations)
    {
        private readonly Dictionary<Guid, FigurePicture?> _pictures = new();
        private readonly Dictionary<Guid, FigureClaim?> _claims = new();
        private readonly List<object> _inserts = [];

        public async Task PrefetchAsync(IReadOnlyList<IEvent> events, CancellationToken ct)
        {
            var claimIds = events.Where(e => e.Data is not (ClaimSubmitted or FigureDefined or Sources.SourceRegistered))
                .Select(e => e.StreamId).Distinct().ToArray();
            if (claimIds.Length > 0)
                foreach (var c in await operations.LoadManyAsync<FigureClaim>(ct, claimIds)) _claims[c.Id] = c;
            var figureIds = _claims.Values.Select(c => c!.FigureId)
                .Concat(events.Select(e => e.Data).OfType<ClaimSubmitted>().Where(s => s.FigureId != null).Select(s => s.FigureId!.Value))
                .Distinct().Where(id => !_pictures.ContainsKey(id)).ToArray();
            if (figureIds.Length > 0)
                foreach (var p in await operations.LoadManyAsync<FigurePicture>(ct, figureIds)) _pictures[p.Id] = p;
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
                    var after = FigureClaim.From(submitted, e.Sequence);
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
            var afterClaim = FigureClaim.From(state, before.SubmittedSequence);
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
            _claims[after.Id] = after;

            var revision = picture.RevisionCount + 1;
            _inserts.Add(new FigureRevision
            {
                Id = FigureRevision.IdFor(figureId, revision), FigureId = figureId, Revision = revision, Sequence = e.Sequence,
                RecordedAt = e.Timestamp, Actor = e.UserName ?? "", ClaimId = after.Id, AttributedTo = after.AttributedTo,
                Change = change, PreviousValue = before != null && before.Value != after.Value ? before.Value : null,
                Value = after.Value, Status = after.Status, SourceId = sourceId, Reason = reason,
            });
            picture = picture with { RevisionCount = revision, LastChangedAt = e.Timestamp };

            foreach (var key in new[] { before?.OriginatorKey, after.OriginatorKey }.OfType<string>().Distinct())
            {
                var entry = (await LatestStandingAsync(figureId, key, ct))?.ToEntry();
                var previous = picture.Current.FirstOrDefault(c => FigureClaim.KeyOf(c.AttributedTo) == key);
                if (entry == previous && picture.OriginatorKeys.Contains(key)) continue;
                picture = picture.WithEntry(key, entry);
                _inserts.Add(new FigureEntryChange
                {
                    Id = $"{FigureRevision.IdFor(figureId, revision)}/{key}", FigureId = figureId, OriginatorKey = key,
                    Revision = revision, Entry = entry,
                });
            }
            _pictures[figureId] = picture;
        }

        /// <summary>
        /// The originator's latest standing claim on the figure: among what this batch changed and, behind it, what is
        /// stored, newest submission first (an index walk that stops at the first standing claim).
        /// </summary>
        private async Task<FigureClaim?> LatestStandingAsync(Guid figureId, string key, CancellationToken ct)
        {
            var best = _claims.Values
                .Where(c => c != null && c.FigureId == figureId && c.OriginatorKey == key && c.Standing)
                .MaxBy(c => c!.SubmittedSequence);
            var below = long.MaxValue;
            while (true)
            {
                var page = await operations.Query<FigureClaim>()
                    .Where(c => c.FigureId == figureId && c.OriginatorKey == key && c.Standing && c.SubmittedSequence < below)
                    .OrderByDescending(c => c.SubmittedSequence).Take(20).ToListAsync(ct);
                foreach (var stored in page)
                {
                    if (best != null && stored.SubmittedSequence <= best.SubmittedSequence) return best;
                    // What this batch changed wins over what is stored.
                    if (_claims.TryGetValue(stored.Id, out var changed)) continue;
                    return stored;
                }
                if (page.Count < 20) return best;
                below = page[^1].SubmittedSequence;
            }
        }

        private async Task<FigureClaim?> ClaimAsync(Guid id, CancellationToken ct)
        {
            if (_claims.TryGetValue(id, out var known)) return known;
            return _claims[id] = await operations.LoadAsync<FigureClaim>(id, ct);
        }

        private async Task<FigurePicture?> PictureAsync(Guid id, CancellationToken ct)
        {
            if (_pictures.TryGetValue(id, out var known)) return known;
            return _pictures[id] = await operations.LoadAsync<FigurePicture>(id, ct);
        }

        public void Store()
        {
            foreach (var picture in _pictures.Values.OfType<FigurePicture>()) operations.Store(picture);
            foreach (var claim in _claims.Values.OfType<FigureClaim>()) operations.Store(claim);
            foreach (var doc in _inserts)
            {
                // A revision is written once; a replay over the same range stores it again, identical.
                switch (doc)
                {
                    case FigureRevision r: operations.Store(r); break;
                    case FigureEntryChange c: operations.Store(c); break;
                }
            }
        }
    }
}

/// <summary>
/// Serialises the writers of one figure for the rest of the transaction (an advisory transaction lock), taken before
/// Marten numbers the events so that sequence order is apply order on every figure.
/// </summary>
public static class FigureLock
{
    private const int LockSpace = 0x434C46; // "CLF"

    /// <summary>Call inside the session's transaction (an exclusive fetch or <c>BeginTransactionAsync</c> opened it).</summary>
    public static async Task AcquireAsync(IDocumentSession session, Guid figureId, CancellationToken ct)
    {
        await using var command = session.Connection!.CreateCommand();
        command.CommandText = "select pg_advisory_xact_lock(@space, @key)";
        command.Parameters.AddWithValue("space", LockSpace);
        command.Parameters.AddWithValue("key", BitConverter.ToInt32(figureId.ToByteArray(), 12));
        await command.ExecuteNonQueryAsync(ct);
    }
}
