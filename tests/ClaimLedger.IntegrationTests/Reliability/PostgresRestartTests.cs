using System.Collections.Concurrent;
using ClaimLedger.IntegrationTests.Support;
using Npgsql;
using ClaimLedger.Local;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>
/// The PostgreSQL server itself stopped and started again under four writers (a cluster of the test's own):
/// 503 with Retry-After while it is down, never another 5xx, recovery by itself, every acknowledged write stored once.
/// </summary>
public class PostgresRestartTests : IAsyncLifetime
{
    private DirectoryInfo _root = null!;
    private LocalPostgres.PrivateCluster _cluster = null!;
    private LedgerApi _api = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("claimledger-pgrestart-");
        if (!OperatingSystem.IsWindows()) _root.UnixFileMode |= UnixFileMode.OtherExecute | UnixFileMode.OtherRead;
        _cluster = await LocalPostgres.StartClusterAsync(_root.FullName);
        var cs = await LocalPostgres.EnsureDatabaseAsync(_cluster.ConnectionString, "claimledger_restart");
        _api = await LedgerApi.StartOnDatabaseAsync(new NpgsqlConnectionStringBuilder(cs) { Timeout = 3, CommandTimeout = 5 }.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try { await _cluster.StopAsync(); } catch (ProvisioningException) { }
        try { _root.Delete(true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Stopped_and_restarted_under_load_it_answers_503_never_500_and_loses_nothing()
    {
        var source = await _api.Source();
        var statuses = new ConcurrentBag<int>();
        var acknowledged = new ConcurrentBag<string>();
        var stop = new CancellationTokenSource();
        var restartedAt = DateTime.MaxValue;
        var afterRestart = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var token = $"r{w}-{i}";
                while (!stop.IsCancellationRequested)
                {
                    var r = await _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = token },
                        headers: new Dictionary<string, string> { ["Idempotency-Key"] = token });
                    statuses.Add(r.Status);
                    if (r.Status == 503) r.Headers.RetryAfter.ShouldNotBeNull();
                    if (r.Status == 201)
                    {
                        acknowledged.Add(token);
                        if (DateTime.UtcNow > restartedAt) Interlocked.Increment(ref afterRestart);
                        break;
                    }
                    await Task.Delay(100);
                }
            }
        })).ToArray();

        await Task.Delay(1000);
        await _cluster.StopAsync();
        await Task.Delay(2000);
        await _cluster.StartAsync();
        restartedAt = DateTime.UtcNow;
        for (var i = 0; i < 100 && Volatile.Read(ref afterRestart) < 5; i++) await Task.Delay(100);
        stop.Cancel();
        await Task.WhenAll(writers);

        statuses.ShouldNotContain(s => s >= 500 && s != 503);
        statuses.ShouldContain(503);
        afterRestart.ShouldBeGreaterThanOrEqualTo(5, "it did not recover by itself");
        await using var conn = new NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select data->>'attributedTo', count(*) from claimledger.mt_events where type = 'claim_submitted' group by 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var stored = new Dictionary<string, long>();
        while (await reader.ReadAsync()) stored[reader.GetString(0)] = reader.GetInt64(1);
        foreach (var token in acknowledged) stored.GetValueOrDefault(token).ShouldBe(1, token);
        stored.Values.ShouldAllBe(c => c == 1);
    }
}
