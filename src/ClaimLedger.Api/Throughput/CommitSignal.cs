using System.Diagnostics;
using JasperFx.Events.Daemon.HighWater;
using Marten;
using Marten.Services;

namespace ClaimLedger.Throughput;

/// <summary>
/// Tells the ledger's followers on this node — the projection daemon's high-water agent and the ledger sequencer — that
/// events were committed here, so that they need not sleep out their polling interval (the daemon waits 1 s once it has
/// caught up, 250 ms while events keep coming; the sequencer 200 ms).
/// </summary>
/// <remarks>
/// A follower wakes early only once the commits pause for <see cref="QuietPeriod"/>: a lone write, or the last of a
/// burst, is followed within milliseconds, while under a steady stream of commits each follower keeps its interval, so a
/// range still carries many events and the daemon does not pay its per-range cost for every commit. Commits made on
/// another node are not seen here: there, followers poll as before.
/// </remarks>
public sealed class CommitSignal : DocumentSessionListenerBase
{
    /// <summary>How long commits must pause before a follower that saw one wakes.</summary>
    public TimeSpan QuietPeriod { get; }

    // Replaced whole when a follower joins (rarely), read without a lock on every commit.
    private volatile Follower[] _followers = [];
    private readonly Lock _joining = new();
    private long _commits;
    private long _lastCommitAt;

    public CommitSignal() : this(TimeSpan.FromMilliseconds(20)) { }

    public CommitSignal(TimeSpan quietPeriod) => QuietPeriod = quietPeriod;

    /// <summary>Commits of events made on this node since it started.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        // Documents alone (a user, a snapshot) are nothing a follower reads.
        if (commit.GetEvents().Any()) Committed();
        return Task.CompletedTask;
    }

    /// <summary>Events were committed on this node.</summary>
    public void Committed()
    {
        Volatile.Write(ref _lastCommitAt, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _commits);
        foreach (var follower in _followers) follower.Nudge();
    }

    /// <summary>A new follower: it sees the commits made after it last woke (or after it was made).</summary>
    public Follower Follow()
    {
        var follower = new Follower(this);
        lock (_joining) _followers = [.. _followers, follower];
        return follower;
    }

    private TimeSpan SinceLastCommit => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastCommitAt));

    /// <summary>One reader of the log that polls it: what the daemon takes as its wake-up, and what the sequencer waits on.</summary>
    public sealed class Follower : IDaemonWakeup
    {
        private readonly CommitSignal _signal;
        // At most one permit: "something was committed since you last woke".
        private readonly SemaphoreSlim _nudged = new(0, 1);
        private long _seen;

        internal Follower(CommitSignal signal)
        {
            _signal = signal;
            _seen = signal.Commits;
        }

        internal void Nudge()
        {
            // Under a steady stream the follower is awake and its permit already given: looking first spares a thrown
            // and caught SemaphoreFullException on every commit (2 % of the API's CPU at 8 clients, perf).
            if (_nudged.CurrentCount > 0) return;
            try { _nudged.Release(); }
            catch (SemaphoreFullException) { } // another commit gave it in between
        }

        /// <summary>
        /// Returns after <paramref name="timeout"/>, or earlier once a commit it has not seen is followed by a pause of
        /// <see cref="QuietPeriod"/>.
        /// </summary>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
        {
            var started = Stopwatch.GetTimestamp();
            TimeSpan Left() => timeout - Stopwatch.GetElapsedTime(started);
            try
            {
                // Asleep until something is committed that this follower has not seen.
                while (_signal.Commits == Interlocked.Read(ref _seen))
                {
                    if (Left() <= TimeSpan.Zero || !await _nudged.WaitAsync(Left(), token)) return;
                }
                // Then awake until the commits pause: each look is a timer, not a wake-up per commit.
                while (true)
                {
                    var quiet = _signal.SinceLastCommit;
                    var left = Left();
                    if (quiet >= _signal.QuietPeriod || left <= TimeSpan.Zero) return;
                    var nap = _signal.QuietPeriod - quiet;
                    await Task.Delay(nap < left ? nap : left, token);
                }
            }
            finally
            {
                // Whatever was committed until now is read by the caller's next look; what comes after wakes it again.
                Interlocked.Exchange(ref _seen, _signal.Commits);
            }
        }

        public void Dispose()
        {
            // The daemon disposes its wake-up when it stops; the follower stays usable for the next daemon on this node.
        }
    }
}
