using System.Diagnostics;
using System.Globalization;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// The target's ratio, HTTP submissions ÷ Marten alone at 8 each, from alternating windows of the two: this
    /// machine's speed drifts within minutes by more than the ratio's margin (one build gave 897 to 2,122 claims/s
    /// within an hour, its CPU per submission moving with it), and a ratio of two rows measured minutes apart carries
    /// that drift whole. Each round measures both sides back to back; the median round is the figure.
    /// Neither side pays for the other's work. Before each window the API's history and ledger have caught up, no
    /// autovacuum runs, and a checkpoint has run (without that, Marten alone ran up to 20 % slower right after an
    /// HTTP window). The history trails the writes by up to a daemon range (0–1,765 events, sampled each second under
    /// load), so an HTTP window is charged until the history and the ledger have caught up with it: its claims are
    /// divided by its length plus that catch-up, polling included (against ClaimLedger). The API stays up, idle,
    /// through Marten's windows.
    /// </summary>
    private async Task RatioAsync(Func<int, int, Task<int>> submission)
    {
        var rounds = new List<(double Marten, double Http, TimeSpan CatchUp)>();
        // What ran beside each window: a round whose two sides met a different machine says so.
        var besides = new List<(Beside Marten, Beside Http)>();
        for (var round = 0; round < mode.RatioRounds; round++)
        {
            await QuiesceAsync();
            await using var martenBeside = await Beside.StartAsync(_cs);
            var marten = await Measure.ThroughputAsync(8, mode.RatioWindow, LeadIn, MartenNewStreamAsync);
            var martenSummary = await martenBeside.StopAsync();
            var http = await SubmissionWindowAsync(submission);
            rounds.Add((marten, http.Rate, http.CatchUp));
            besides.Add((martenBeside, http.Beside));
            await log.WriteLineAsync($"    round {round + 1}: Marten alone {marten:N0} events/s; {martenSummary}");
            await log.WriteLineAsync($"    round {round + 1}: HTTP {http.Rate:N0} claims/s; {http.Summary}");
        }
        string Stolen(IEnumerable<Beside> windows) => string.Join(", ", windows.Select(w => w.Stolen.ToString("P0", CultureInfo.InvariantCulture)));
        string Vacuumed(IEnumerable<Beside> windows) => windows.Count(w => w.Autovacuum > TimeSpan.Zero) + " of " + windows.Count();
        var median = MedianBy(rounds, r => r.Http / r.Marten);
        var ratio = median.Http / median.Marten;
        var each = string.Join("; ", rounds.Select(r => $"{r.Http:N0} / {r.Marten:N0} = {r.Http / r.Marten:0.00}"));
        Add("HTTP", $"claim submissions ÷ Marten alone, 8 each, alternating {mode.RatioWindow.TotalSeconds:0} s windows (median of {rounds.Count})",
            ratio, "×", "≥ 0.5", ratio >= 0.5,
            $"rounds (claims/s ÷ events/s): {each}; history and ledger caught up {string.Join(", ", rounds.Select(r => r.CatchUp.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)))} s after the HTTP windows (charged to them); " +
            $"CPU stolen by the hypervisor in Marten's windows {Stolen(besides.Select(b => b.Marten))}, in the HTTP windows {Stolen(besides.Select(b => b.Http))}; " +
            $"autovacuum at work in {Vacuumed(besides.Select(b => b.Marten))} Marten windows and {Vacuumed(besides.Select(b => b.Http))} HTTP windows; " +
            Wal(rounds.Zip(besides, (r, b) => (r.Marten, r.Http, b.Marten, b.Http)).ToList()));
    }

    /// <summary>
    /// One HTTP window of 8 clients as the ratio counts it: on a quiet database, with the API's history and ledger
    /// caught up, and charged until they have caught up with it again.
    /// </summary>
    private async Task<(double Rate, TimeSpan CatchUp, Beside Beside, string Summary)> SubmissionWindowAsync(Func<int, int, Task<int>> submission)
    {
        await QuiesceAsync();
        await using var beside = await Beside.StartAsync(_cs);
        var (submitted, elapsed) = await Measure.CountAsync(8, mode.RatioWindow, LeadIn, submission);
        var catchUp = Stopwatch.StartNew();
        await SettleAsync();
        var summary = await beside.StopAsync();
        return (submitted / (elapsed + catchUp.Elapsed).TotalSeconds, catchUp.Elapsed, beside, summary);
    }

    /// <summary>
    /// The WAL each side wrote per unit and how long its flushes took (medians of the rounds): a claim writes its event
    /// and the documents that answer for it, and each group of claims waits for one flush before it is answered.
    /// </summary>
    private static string Wal(List<(double MartenRate, double HttpRate, Beside Marten, Beside Http)> rounds)
    {
        static double Median(IEnumerable<double> values) => MedianBy(values.ToList(), v => v);
        // Each window's rate over the whole stretch sampled (lead-in and catch-up run at about the same pace).
        var perEvent = Median(rounds.Select(r => r.Marten.WalBytes / 1024 / (r.MartenRate * r.Marten.Length.TotalSeconds)));
        var perClaim = Median(rounds.Select(r => r.Http.WalBytes / 1024 / (r.HttpRate * r.Http.Length.TotalSeconds)));
        var text = $"WAL about {perClaim.ToString("0.0", CultureInfo.InvariantCulture)} KB per claim against {perEvent.ToString("0.0", CultureInfo.InvariantCulture)} KB per Marten event";
        static double Flush(Beside w) => w.WalFlushes > 0 ? w.WalFlushing.TotalMicroseconds / w.WalFlushes : 0;
        if (rounds.All(r => r.Marten.WalFlushing > TimeSpan.Zero && r.Http.WalFlushing > TimeSpan.Zero))
            text += $"; a WAL flush took {Median(rounds.Select(r => Flush(r.Http))):N0} µs in the HTTP windows ({Median(rounds.Select(r => r.Http.WalFlushes / r.Http.Length.TotalSeconds)):N0} a second), " +
                    $"{Median(rounds.Select(r => Flush(r.Marten))):N0} µs in Marten's ({Median(rounds.Select(r => r.Marten.WalFlushes / r.Marten.Length.TotalSeconds)):N0} a second)";
        return text;
    }
}
