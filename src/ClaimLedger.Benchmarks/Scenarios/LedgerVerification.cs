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
        // code paths (JSON, hashing, Npgsql's readers), and is reported beside the warm one.
        var watch = Stopwatch.StartNew();
        var first = await verifier.VerifyAsync(null, null, CancellationToken.None);
        var firstRate = first.EventsChecked / watch.Elapsed.TotalSeconds;
        watch.Restart();
        var report = await verifier.VerifyAsync(null, null, CancellationToken.None);
        var rate = report.EventsChecked / watch.Elapsed.TotalSeconds;
        Add("Verify", $"ledger verification ({report.EventsChecked:N0} events, ok = {report.Ok && first.Ok})", rate, "events/s", "≥ 200,000 events/s",
            rate >= 200_000, $"first pass in a fresh process: {firstRate:N0} events/s");
    }
}
