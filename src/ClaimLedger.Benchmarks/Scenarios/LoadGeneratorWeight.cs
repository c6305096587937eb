using System.Globalization;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// What the load generator's own weight does to the figures: the same submissions at 8 clients through the
    /// loopback client and through .NET's HttpClient, in alternating windows (rows minutes apart carry the machine's
    /// drift). The CPU the load generator spends is taken from the API and PostgreSQL on the same two cores.
    /// </summary>
    private async Task LoadGeneratorsAsync(Func<int, int, Task<int>> loopback, Func<int, int, Task<int>> httpClient)
    {
        var rounds = new List<(double Loopback, double HttpClient, Beside LoopbackBeside, Beside HttpClientBeside)>();
        for (var round = 0; round < (mode.RatioRounds + 1) / 2; round++)
        {
            await SettleAsync();
            await using var loopbackBeside = await Beside.StartAsync(_cs);
            var viaLoopback = await Measure.ThroughputAsync(8, mode.RatioWindow, LeadIn, loopback);
            await loopbackBeside.StopAsync();
            await SettleAsync();
            await using var httpClientBeside = await Beside.StartAsync(_cs);
            var viaHttpClient = await Measure.ThroughputAsync(8, mode.RatioWindow, LeadIn, httpClient);
            await httpClientBeside.StopAsync();
            rounds.Add((viaLoopback, viaHttpClient, loopbackBeside, httpClientBeside));
        }
        var median = MedianBy(rounds, r => r.HttpClient / r.Loopback);
        static string Shares(IEnumerable<double> shares) => string.Join(", ", shares.Select(s => s.ToString("P0", CultureInfo.InvariantCulture)));
        Add("HTTP", $"claim submissions, 8 clients, sent through .NET's HttpClient ÷ through the loopback client, alternating {mode.RatioWindow.TotalSeconds:0} s windows (median of {rounds.Count})",
            median.HttpClient / median.Loopback, "×", note: "rounds (claims/s through HttpClient ÷ through the loopback client): " +
            string.Join("; ", rounds.Select(r => $"{r.HttpClient:#,0} / {r.Loopback:#,0} = {r.HttpClient / r.Loopback:0.00}")) +
            $"; the machine's CPU busy {Shares(rounds.Select(r => r.HttpClientBeside.Busy))} against {Shares(rounds.Select(r => r.LoopbackBeside.Busy))}" +
            $", the load generator's share of it {Shares(rounds.Select(r => r.HttpClientBeside.OwnShare))} against {Shares(rounds.Select(r => r.LoopbackBeside.OwnShare))}");
    }
}
