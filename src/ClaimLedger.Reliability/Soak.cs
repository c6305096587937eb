using System.Collections.Concurrent;
using System.Diagnostics;

namespace ClaimLedger.Reliability;

internal sealed partial class Harness
{
    /// <summary>
    /// Mixed traffic of 8 clients (submissions, evidence, reads) for <paramref name="duration"/>, with the API's memory and
    /// the p99 latency recorded per window: both must stay flat, and no request may fail.
    /// </summary>
    public async Task<Report> SoakAsync(TimeSpan duration)
    {
        await PrepareAsync("soak");
        var failures = new List<string>();
        var api = await StartAsync();
        var (source, figures) = await ArrangeAsync(api);
        // Picked from at random by every request: a copy of a growing bag per request made the load generator,
        // not the API, slow down over a long soak.
        var claims = new List<Guid>();
        Guid? AnyClaim(Random random) { lock (claims) return claims.Count == 0 ? null : claims[random.Next(claims.Count)]; }
        var window = TimeSpan.FromSeconds(Math.Max(5, duration.TotalSeconds / 10));
        var windows = new List<(double Seconds, double RssMb, double P99Ms, int Requests)>();
        var latencies = new ConcurrentBag<double>();
        long errors = 0;
        var total = Stopwatch.StartNew();
        var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var pick = random.Next(10);
                var known = AnyClaim(random);
                try
                {
                    if (pick < 4 || known is null)
                    {
                        var posted = await PostAsync(api.Http, "/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = $"s{w % 3}", figureId = figures[w % figures.Length], value = new { amount = i, bound = "exact" } }, null);
                        if (posted.Id is { } id) lock (claims) claims.Add(id);
                        if (posted.Status >= 500) Interlocked.Increment(ref errors);
                    }
                    else if (pick < 7)
                    {
                        var posted = await PostAsync(api.Http, $"/api/claims/{known}/evidence", new { sourceId = source, stance = "supports", note = $"{w}/{i}" }, null);
                        if (posted.Status >= 500) Interlocked.Increment(ref errors);
                    }
                    else
                    {
                        using var r = await api.Http.GetAsync(pick < 9 ? $"/api/claims/{known}" : $"/api/figures/{figures[random.Next(figures.Length)]}");
                        if ((int)r.StatusCode >= 500) Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException) { Interlocked.Increment(ref errors); }
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })).ToArray();
        while (total.Elapsed < duration)
        {
            await Task.Delay(window);
            var sample = latencies.ToArray();
            latencies.Clear();
            Array.Sort(sample);
            windows.Add((Math.Round(total.Elapsed.TotalSeconds), Math.Round(api.MemoryMb(), 1),
                sample.Length == 0 ? 0 : Math.Round(sample[(int)(sample.Length * 0.99)], 1), sample.Length));
            await log.WriteLineAsync($"  {windows[^1].Seconds} s: RSS {windows[^1].RssMb} MB, p99 {windows[^1].P99Ms} ms, {windows[^1].Requests} requests");
        }
        stop.Cancel();
        await Task.WhenAll(clients);
        var peak = api.PeakMemoryMb();
        api.Kill();
        if (errors > 0) failures.Add($"{errors} requests failed with 5xx or a broken connection");
        // Flat at the end: the last window no worse than a generous multiple of the second (the first warms up).
        var baseline = windows.Count > 1 ? windows[1] : windows[0];
        if (windows[^1].RssMb > baseline.RssMb * 1.5 + 50) failures.Add($"memory grew from {baseline.RssMb} MB to {windows[^1].RssMb} MB");
        if (windows[^1].P99Ms > Math.Max(baseline.P99Ms * 3, 300)) failures.Add($"p99 latency grew from {baseline.P99Ms} ms to {windows[^1].P99Ms} ms");
        await DropAsync();
        return new Report("soak", failures.Count == 0, new Dictionary<string, object>
        {
            ["seconds"] = Math.Round(total.Elapsed.TotalSeconds), ["peakMemoryMb"] = Math.Round(peak, 1),
            ["windows"] = windows.Select(w => new { w.Seconds, w.RssMb, w.P99Ms, w.Requests }).ToList(),
        }, failures);
    }
}
