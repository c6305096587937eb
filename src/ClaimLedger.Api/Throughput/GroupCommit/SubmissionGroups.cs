using System.Diagnostics.Metrics;
using System.Threading.Channels;
using ClaimLedger.Access;
using ClaimLedger.Figures;
using ClaimLedger.Sources;
using Marten;
using Npgsql;
using ClaimLedger.Web;
using ClaimLedger.Claims;
using ClaimLedger.Claims.Submitting;
using ClaimLedger.Storage;

namespace ClaimLedger.Throughput.GroupCommit;

/// <summary>
/// Group commit for claim submissions: submissions that arrive while a transaction is in flight are written together in
/// the next one, and each is answered only once that transaction has committed. Marten has no equivalent (a session is
/// one request's unit of work); under load this divides the fixed cost of a transaction — round trips, the transaction
/// id, the commit's WAL flush, the connection's reset — among the submissions, and a lone submission waits for nothing.
/// Measured (docs/benchmarks.md, sixteenth session): every submission in a transaction of its own gave 0.393 × Marten
/// alone at 8 clients, groups 0.55–0.59; a claim's CPU cost 1.3 ms alone against 0.7–0.9 ms grouped.
/// </summary>
/// <remarks>
/// <para>
/// The path, in the order a group takes it (every piece of it is in this folder):
/// </para>
/// <list type="number">
/// <item>The submission's own request checks its fields, reads its source and anchors its quote
/// (<see cref="KnownReferences"/>: sources and figures never change, so each is read once per node), then joins the queue
/// (<see cref="WriteAsync"/>); the endpoint is <c>Claims/Submitting/Submit.cs</c>.</item>
/// <item>A writer takes what waits (<see cref="WriteGroupsAsync"/>) and the group's turn on its figures
/// (<see cref="CommittedPictures.WriteAsync"/>): this node's groups on one figure go one after another, each counting on the
/// picture the one before left.</item>
/// <item>It opens a session whose COMMIT travels at the end of the round trip that writes it
/// (<see cref="CommitWithTheWrite"/>).</item>
/// <item>When every figure and picture is known here, the transaction id, the figure locks (in
/// <see cref="Figures.FigureLock.InLockOrder"/>) and the check that each stored picture is the one remembered go ahead of
/// the events (<see cref="CommittedPictures.ExpectingAhead"/>, the SQL function <c>cl_lock_figures_expecting</c>), and the
/// inline picture projection starts from those pictures (<see cref="ReadUnderLock"/>): one round trip in all. Otherwise
/// a first round trip takes the transaction id and the locks and reads what is missing
/// (<see cref="Storage.LedgerTransaction"/>, <see cref="Figures.FigureLock.AcquireAll"/>).</item>
/// <item>Each submission is decided on its own, its stream started, and the session saved: events, inline projections
/// and COMMIT together.</item>
/// <item>After the commit every submission gets its answer; <see cref="CommittedPictures"/> remembers the pictures it
/// committed (a store listener).</item>
/// </list>
/// <para>
/// Each submission is decided on its own: a refusal answers that submission only. A submission with an Idempotency-Key
/// or one that supersedes an older claim is written alone (<see cref="LedgerWrite"/>), and so is every submission of a
/// group that PostgreSQL refused (nothing of it was committed), except a group refused because a picture it counted on
/// had moved on: that group is written again, reading its pictures first. A group whose commit is in doubt (the
/// connection failed during it) is asked about (<see cref="StartedStreamsAsync"/>): stored, each gets its answer; not
/// stored, each is written alone; unknown, each gets the error, as a lone write would.
/// </para>
/// </remarks>
public sealed class SubmissionGroups : BackgroundService
{
    public const string MeterName = "ClaimLedger.Submissions";

    /// <summary>This host's meter (from the host's meter factory, so that hosts sharing a process keep theirs apart).</summary>
    public Meter Meter { get; }
    private readonly Histogram<int> _groupSize;

    private readonly IDocumentStore _store;
    private readonly KnownReferences _references;
    private readonly CommittedPictures _pictures;
    private readonly ILogger<SubmissionGroups> _logger;
    private readonly int _writers;
    private readonly int _largest;
    /// <summary>Submissions waiting for a group; when it is full, a submission is written alone.</summary>
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(4096);

    public SubmissionGroups(IDocumentStore store, KnownReferences references, CommittedPictures pictures, IConfiguration configuration,
        IMeterFactory meters, ILogger<SubmissionGroups> logger)
    {
        _store = store;
        _references = references;
        _pictures = pictures;
        _logger = logger;
        Meter = meters.Create(MeterName);
        _groupSize = Meter.CreateHistogram<int>("claimledger.submissions.group_size", unit: "{submission}",
            description: "Submissions written in one transaction");
        var section = configuration.GetSection("ClaimLedger:Submissions");
        // Several transactions in flight keep PostgreSQL and the API busy together. Since a group commits in its one write
        // round trip, 2 gives larger groups and measured better than 4 at 8 clients on 2 cores (docs/benchmarks.md);
        // 0 writes every submission alone.
        _writers = Math.Max(0, section.GetValue("GroupWriters", 2));
        _largest = Math.Clamp(section.GetValue("LargestGroup", 64), 1, 1000);
        if (_writers == 0) _pending.Writer.TryComplete();
    }

    /// <summary>
    /// Checks the submission's fields and writes it with the others waiting; null when it is to be written alone (one
    /// that supersedes an older claim locks that claim first, so it is checked and written alone).
    /// </summary>
    public async Task<IResult?> WriteAsync(SubmitClaim body, Actor actor, IQuerySession session, CancellationToken ct)
    {
        if (body.Supersedes != null) return null;
        if (Submission.Check(body, out var submission) is { } invalid) return invalid;
        // Its quote is anchored here, by its own request: a group holds its figures' locks only while it writes.
        var (anchor, unanchored) = await submission.AnchorAsync(_references, session, ct);
        if (unanchored != null) return unanchored;
        var pending = new Pending(submission, anchor, actor, ct);
        if (!_pending.Writer.TryWrite(pending)) return null;
        return await pending.Answer.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, _writers).Select(_ => Task.Run(() => WriteGroupsAsync(stopping), CancellationToken.None)));
        }
        finally
        {
            // Whatever still waits is written alone by its own request.
            _pending.Writer.TryComplete();
            while (_pending.Reader.TryRead(out var left)) left.Answer.TrySetResult(null);
        }
    }

    private async Task WriteGroupsAsync(CancellationToken stopping)
    {
        var group = new List<Pending>(_largest);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stopping))
            {
                group.Clear();
                while (group.Count < _largest && _pending.Reader.TryRead(out var next))
                {
                    if (next.Aborted.IsCancellationRequested) next.Answer.TrySetCanceled(next.Aborted);
                    else group.Add(next);
                }
                // Events carry their writer's name, and a transaction writes one name.
                foreach (var byActor in group.GroupBy(p => p.Actor.Name)) await CommitAsync(byActor.Key, byActor.ToList());
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task CommitAsync(string actor, List<Pending> group, bool trustPictures = true)
    {
        var committing = false;
        var figureIds = group.Select(p => p.Submission.FigureId).OfType<Guid>().Distinct().ToList();
        var answers = new List<(Pending Pending, IResult Answer)>(group.Count);
        var started = new List<Guid>(group.Count);
        var backend = 0;
        try
        {
            // This node's groups on these figures take turns: each counts on the pictures the one before it left.
            using var writing = await _pictures.WriteAsync(figureIds);
            // The commit travels with the events: no round trip of its own.
            await using var write = await CommitWithTheWrite.OpenAsync(_store, CancellationToken.None);
            var session = write.Session;
            session.LastModifiedBy = actor;
            backend = write.BackendProcessId;
            var transaction = await LedgerTransaction.StartAsync(session, CancellationToken.None);
            var reads = transaction.Reads;
            var figures = figureIds.ToDictionary(id => id, id => _references.FigureExistsAsync(reads, id));
            // Answered from what this node knows, nothing queued to read.
            var allKnown = figures.Values.All(f => f.IsCompletedSuccessfully);
            // With everything it refers to known and its pictures remembered, the group reads nothing: its transaction id,
            // its locks and the check of its pictures travel with its events and its commit, in one round trip, and what
            // was queued on the transaction's first round trip is never sent.
            if (trustPictures && allKnown && writing.Pictures is { } pictures)
                CommittedPictures.ExpectingAhead(session, pictures);
            else
            {
                FigureLock.AcquireAll(reads, session, figureIds);
                await transaction.OpenAsync(CancellationToken.None);
            }

            var appended = 0;
            foreach (var pending in group)
            {
                var submission = pending.Submission;
                var figureFound = submission.FigureId is not { } figureId || await figures[figureId];
                if (submission.Refusal(figureFound) is { } refusal)
                {
                    answers.Add((pending, refusal));
                    continue;
                }
                var claimId = Guid.CreateVersion7();
                session.Events.StartStream<Claim>(claimId, submission.Submitted(claimId, pending.Anchor));
                started.Add(claimId);
                answers.Add((pending, Submission.Written(claimId)));
                appended++;
            }
            if (appended > 0)
            {
                committing = true;
                // Not bound to any request: once the commit starts, a client hanging up must not leave it in doubt.
                await session.SaveChangesAsync(CancellationToken.None);
            }
            _groupSize.Record(appended);
            foreach (var (pending, answer) in answers) pending.Answer.TrySetResult(answer);
        }
        catch (Exception e) when (CommittedPictures.Moved(e))
        {
            // A figure was written elsewhere since this node last wrote it; nothing was committed. Written again from
            // what is read under the locks.
            _pictures.Forget(figureIds);
            await CommitAsync(actor, group, trustPictures: false);
        }
        catch (Exception e) when (!committing || RolledBack(e))
        {
            // Nothing of the group was committed: each submission is written alone, and gets its own answer.
            _logger.LogWarning(e, "A group of {Count} submissions was not written together; each is written alone", group.Count);
            foreach (var pending in group) pending.Answer.TrySetResult(null);
        }
        catch (Exception e) when (CommitsInDoubt.InDoubt(e))
        {
            // The commit's answer never came (the connection broke, or came back out of step): PostgreSQL is asked whether
            // it committed. Stored, each gets its answer; not stored, each is written alone; unknown, each gets the error
            // (writing them again could store them twice).
            switch (await StartedStreamsAsync(_store, backend, started, CommitsInDoubt.Patience))
            {
                case true:
                    _logger.LogWarning(e, "The commit of a group of {Count} submissions was in doubt; it had committed", group.Count);
                    foreach (var (pending, answer) in answers) pending.Answer.TrySetResult(answer);
                    break;
                case false:
                    _logger.LogWarning(e, "The commit of a group of {Count} submissions was in doubt; it had not committed, each is written alone", group.Count);
                    foreach (var pending in group) pending.Answer.TrySetResult(null);
                    break;
                default:
                    foreach (var pending in group) pending.Answer.TrySetException(e);
                    break;
            }
        }
        catch (Exception e)
        {
            // Failed in this process, the commit's outcome unknown: writing them again could store them twice.
            foreach (var pending in group) pending.Answer.TrySetException(e);
        }
    }

    /// <summary>
    /// For a group whose transaction id never came back (it travelled in the lost round trip, ahead of the events): once
    /// the backend that ran it is gone — a transaction never outlives its backend —, whether the streams it started exist.
    /// </summary>
    private static Task<bool?> StartedStreamsAsync(IDocumentStore store, int backendProcessId, IReadOnlyCollection<Guid> streams, TimeSpan patience) =>
        CommitsInDoubt.AskAsync(store, patience, async connection =>
        {
            await using var running = new NpgsqlCommand("select exists (select 1 from pg_stat_activity where pid = $1)", connection);
            running.Parameters.AddWithValue(backendProcessId);
            if (await running.ExecuteScalarAsync(CancellationToken.None) is true) return (false, null);
            await using var stored = new NpgsqlCommand($"select count(*) from {Audit.LedgerSchema.Schema}.mt_streams where id = any($1)", connection);
            stored.Parameters.AddWithValue(streams.ToArray());
            var found = (long)(await stored.ExecuteScalarAsync(CancellationToken.None))!;
            return (true, found == streams.Count ? true : found == 0 ? false : null);
        });


    /// <summary>PostgreSQL answered with an error: the transaction was rolled back, whatever statement it answered.</summary>
    public static bool RolledBack(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is PostgresException) return !ProblemExceptionHandler.IsDatabaseAway(e);
        return false;
    }

    private sealed record Pending(Submission Submission, Quotes.QuoteAnchor? Anchor, Actor Actor, CancellationToken Aborted)
    {
        public TaskCompletionSource<IResult?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
