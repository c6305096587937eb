using System.Diagnostics;
using Shouldly;
using ClaimLedger.Throughput;

namespace ClaimLedger.Tests.Throughput;

/// <summary>
/// How the ledger's followers (the daemon, the sequencer) wait: out their interval when nothing is committed or while
/// commits keep coming, and only until the commits pause when some were made. Bounds are generous (these are behaviours,
/// not timings): "at once" means long before a 60 s timeout.
/// </summary>
public class CommitSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>A signal whose followers wake 10 ms after the commits pause, and one follower of it.</summary>
    private static (CommitSignal Signal, CommitSignal.Follower Follower) Followed()
    {
        var signal = new CommitSignal(TimeSpan.FromMilliseconds(10));
        return (signal, signal.Follow());
    }

    private static async Task<TimeSpan> TimedAsync(Task wait)
    {
        var started = Stopwatch.GetTimestamp();
        await wait.WaitAsync(TimeSpan.FromSeconds(30)); // throws TimeoutException if it sleeps on
        return Stopwatch.GetElapsedTime(started);
    }

    [Fact]
    public async Task With_nothing_committed_a_follower_sleeps_out_its_interval()
    {
        var (_, follower) = Followed();
        (await TimedAsync(follower.WaitAsync(TimeSpan.FromMilliseconds(150), CancellationToken.None)))
            .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(140));
    }

    [Fact]
    public async Task A_commit_wakes_a_sleeping_follower_once_the_commits_pause()
    {
        var (signal, follower) = Followed();
        var waiting = follower.WaitAsync(Long, CancellationToken.None);
        await Task.Delay(50);
        waiting.IsCompleted.ShouldBeFalse();
        signal.Committed();
        await TimedAsync(waiting);
    }

    [Fact]
    public async Task Commits_to_a_follower_already_nudged_throw_nothing_and_still_wake_it()
    {
        // Under load every commit nudges a follower whose permit is already given: that must cost a look, not an exception.
        var (signal, follower) = Followed();
        var thread = Environment.CurrentManagedThreadId;
        var thrown = 0;
        void Count(object? _, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread && e.Exception is SemaphoreFullException) thrown++;
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < 100; i++) signal.Committed();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
        thrown.ShouldBe(0);
        await TimedAsync(follower.WaitAsync(Long, CancellationToken.None));
    }

    [Fact]
    public async Task A_commit_made_between_two_waits_still_wakes_the_next()
    {
        var (signal, follower) = Followed();
        await follower.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        signal.Committed(); // while the follower is reading, say
        await TimedAsync(follower.WaitAsync(Long, CancellationToken.None));
    }

    [Fact]
    public async Task A_commit_already_followed_does_not_wake_the_follower_again()
    {
        var (signal, follower) = Followed();
        signal.Committed();
        signal.Committed();
        await TimedAsync(follower.WaitAsync(Long, CancellationToken.None));
        (await TimedAsync(follower.WaitAsync(TimeSpan.FromMilliseconds(150), CancellationToken.None)))
            .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(140));
    }

    [Fact]
    public async Task While_commits_keep_coming_a_follower_keeps_its_interval()
    {
        var signal = new CommitSignal(TimeSpan.FromMilliseconds(300));
        var follower = signal.Follow();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                signal.Committed();
                await Task.Delay(5);
            }
        });
        try
        {
            (await TimedAsync(follower.WaitAsync(TimeSpan.FromMilliseconds(400), CancellationToken.None)))
                .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390));
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }

    [Fact]
    public async Task Every_follower_is_woken()
    {
        var signal = new CommitSignal(TimeSpan.FromMilliseconds(10));
        var (daemon, sequencer) = (signal.Follow(), signal.Follow());
        var waits = new[] { daemon.WaitAsync(Long, CancellationToken.None), sequencer.WaitAsync(Long, CancellationToken.None) };
        signal.Committed();
        await TimedAsync(Task.WhenAll(waits));
        signal.Commits.ShouldBe(1);
    }

    [Fact]
    public async Task Stopping_ends_the_wait()
    {
        var follower = new CommitSignal().Follow();
        using var stop = new CancellationTokenSource();
        var waiting = follower.WaitAsync(Long, stop.Token);
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => TimedAsync(waiting));
    }

    [Fact]
    public async Task A_disposed_follower_still_follows()
    {
        // The daemon disposes its wake-up when it stops; the next daemon on this node is given the same follower.
        var (signal, follower) = Followed();
        follower.Dispose();
        var waiting = follower.WaitAsync(Long, CancellationToken.None);
        signal.Committed();
        await TimedAsync(waiting);
    }
}
