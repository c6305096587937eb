
namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// A hot figure, as in breaking news: 8 clients whose every submission is on one figure, beside the spread case (each
    /// client on a figure of its own), in windows back to back on a quiet database. Every write of one figure holds its
    /// lock until it commits, so on the hot figure the groups of submissions commit one after the other where spread
    /// ones commit side by side; each row says how many claims a transaction carried.
    /// </summary>
    private async Task HotFigureAsync(Guid source, Func<int, int, Task<int>> spread)
    {
        var hot = await PostAsync("/api/figures", new { title = "Bench hot", metric = "deaths", unit = "people" });
        Task<int> OnTheHotFigure(int w, int i)
        {
            // Not among the claims the lifecycle writes pick from: evidence on them would queue on the hot figure too.
            Submit(w, source, hot, $"originator {w % 5}", 242 + i);
            return Task.FromResult(1);
        }

        var apart = await SubmissionLatencyWindowAsync(spread);
        var together = await SubmissionLatencyWindowAsync(OnTheHotFigure);
        Add("HTTP", "claim submissions, 8 clients, each on a figure of its own, p99", apart.P99, "ms",
            note: $"{apart.Rate:#,0} claims/s, p50 {apart.P50:0.0} ms; {apart.PerTransaction:0.0} claims per transaction");
        Add("HTTP", "claim submissions, 8 clients, all on one figure (a hot figure, as in breaking news), p99", together.P99, "ms", "≤ 50 ms", together.P99 <= 50,
            $"{together.Rate:#,0} claims/s, p50 {together.P50:0.0} ms; {together.PerTransaction:0.0} claims per transaction; " +
            $"÷ each on a figure of its own (the window before): claims/s {together.Rate / apart.Rate:0.00}, p99 {together.P99 / apart.P99:0.0}");
    }

    /// <summary>
    /// One window of 8 clients on a quiet database, with each submission's latency, and the claims per transaction that
    /// wrote them (the rows one transaction inserted carry its id as their <c>xmin</c>).
    /// </summary>
    private async Task<(double Rate, double P50, double P99, double PerTransaction)> SubmissionLatencyWindowAsync(Func<int, int, Task<int>> submission)
    {
        await QuiesceAsync();
        var before = await ScalarAsync("select coalesce(max(seq_id), 0) from claimledger.mt_events");
        var (rate, p50, p99) = await Measure.ThroughputAndLatencyAsync(8, mode.Duration, mode.Warmup, submission);
        var claims = await ScalarAsync($"select count(*) from claimledger.mt_events where seq_id > {before} and type = 'claim_submitted'");
        var transactions = await ScalarAsync($"select count(distinct xmin::text) from claimledger.mt_events where seq_id > {before} and type = 'claim_submitted'");
        return (rate, p50, p99, (double)claims / Math.Max(1, transactions));
    }
}
