using System.Diagnostics;

namespace ClaimLedger.Benchmarks;

/// <summary>One figure of the report: what was measured, its value, and the target beside it when there is one.</summary>
public sealed record Result(string Section, string Name, double Value, string Unit, string? Target = null, bool? Met = null, string? Note = null);

public static class Measure
{
    /// <summary>
    /// Operations per second of <paramref name="workers"/> concurrent loops for <paramref name="duration"/>, after the
    /// same loops ran uncounted for <paramref name="warmup"/> (JIT tiering, connection pools, prepared statements: a
    /// server's steady state is what is measured, for every row alike).
    /// </summary>
    public static async Task<double> ThroughputAsync(int workers, TimeSpan duration, TimeSpan warmup, Func<int, int, Task<int>> operation)
    {
        var (count, elapsed) = await CountAsync(workers, duration, warmup, operation);
        return count / elapsed.TotalSeconds;
    }

    /// <summary>The operations done and the time taken (the last ones in flight included), as <see cref="ThroughputAsync"/> counts them.</summary>
    public static async Task<(long Count, TimeSpan Elapsed)> CountAsync(int workers, TimeSpan duration, TimeSpan warmup, Func<int, int, Task<int>> operation)
    {
        var next = new int[workers];
        async Task<long> LoopAsync(TimeSpan length)
        {
            long done = 0;
            var stopwatch = Stopwatch.StartNew();
            // Each worker starts on a thread of its own: an operation that blocks (the loopback client) keeps that thread
            // and is woken by the kernel; one that awaits I/O goes on from the thread pool as before.
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Factory.StartNew(async () =>
            {
                while (stopwatch.Elapsed < length) Interlocked.Add(ref done, await operation(w, next[w]++));
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));
            return done;
        }

        if (warmup > TimeSpan.Zero) await LoopAsync(warmup);
        var measured = Stopwatch.StartNew();
        var count = await LoopAsync(duration);
        return (count, measured.Elapsed);
    }

    /// <summary>
    /// <see cref="ThroughputAsync"/> with each counted operation's latency: operations per second, and p50 and p99 in
    /// milliseconds. Each worker numbers its operations on from the warm-up's, as <see cref="CountAsync"/> does.
    /// </summary>
    public static async Task<(double Rate, double P50, double P99)> ThroughputAndLatencyAsync(int workers, TimeSpan duration, TimeSpan warmup,
        Func<int, int, Task<int>> operation)
    {
        var next = new int[workers];
        var latencies = Enumerable.Range(0, workers).Select(_ => new List<double>()).ToArray();
        async Task<int> TimedAsync(int worker, int _)
        {
            var started = Stopwatch.GetTimestamp();
            var done = await operation(worker, next[worker]++);
            latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return done;
        }

        if (warmup > TimeSpan.Zero) await CountAsync(workers, warmup, TimeSpan.Zero, TimedAsync);
        foreach (var worker in latencies) worker.Clear();
        var (count, elapsed) = await CountAsync(workers, duration, TimeSpan.Zero, TimedAsync);
        var (p50, p99) = Percentiles([.. latencies.SelectMany(l => l)]);
        return (count / elapsed.TotalSeconds, p50, p99);
    }

    /// <summary>p50 and p99 latency in milliseconds of <paramref name="count"/> sequential calls (after a warm-up).</summary>
    public static async Task<(double P50, double P99)> LatencyAsync(int count, Func<int, Task> call)
    {
        for (var i = 0; i < Math.Min(20, count); i++) await call(i);
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        return Percentiles(samples);
    }

    /// <summary>p50 and p99 of <paramref name="samples"/> (sorted in place).</summary>
    private static (double P50, double P99) Percentiles(double[] samples)
    {
        if (samples.Length == 0) return (double.NaN, double.NaN);
        Array.Sort(samples);
        var count = samples.Length;
        return (samples[(int)(count * 0.50)], samples[Math.Min(count - 1, (int)Math.Ceiling(count * 0.99) - 1)]);
    }
}
