using System.Diagnostics;
using ClaimLedger.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ClaimLedger.Storage;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    private async Task VerifyAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (await ScalarAsync(LedgerSchema.LagSql) > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ClaimLedger:Signing:PrivateKeyPem"] = _signingKey }).Build();
        await using var dataSource = NpgsqlDataSource.Create(_cs);
        var verifier = new LedgerVerifier(dataSource, new CheckpointSigner(configuration, new LedgerDatabase(_cs, false), NullLogger<CheckpointSigner>.Instance));
        // Like every throughput row, measured warm: the first pass in a fresh process also compiles the verifier's
        // code paths (JSON, hashing, Npgsql's readers), and is reported beside the warm ones.
        var watch = Stopwatch.StartNew();
        var first = await verifier.VerifyAsync(null, null, CancellationToken.None);
        var firstRate = first.EventsChecked / watch.Elapsed.TotalSeconds;
        var passes = new List<(double Rate, VerificationReport Report)>();
        for (var pass = 0; pass < mode.VerifyPasses; pass++)
        {
            watch.Restart();
            var report = await verifier.VerifyAsync(null, null, CancellationToken.None);
            passes.Add((report.EventsChecked / watch.Elapsed.TotalSeconds, report));
        }
        var (rate, median) = MedianBy(passes, p => p.Rate);
        Add("Verify", $"ledger verification ({median.EventsChecked:N0} events, ok = {passes.All(p => p.Report.Ok) && first.Ok})", rate, "events/s",
            "≥ 200,000 events/s", rate >= 200_000,
            $"median of {passes.Count} warm passes: {string.Join(", ", passes.Select(p => p.Rate.ToString("N0")))} events/s; first pass in a fresh process: {firstRate:N0} events/s");
    }
}
