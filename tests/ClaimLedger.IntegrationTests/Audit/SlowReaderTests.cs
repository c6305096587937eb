using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using ClaimLedger.Access;
using ClaimLedger.IntegrationTests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>
/// Clients that start an export and then stop reading it: they must not keep database connections, so a pool smaller
/// than the number of stalled readers still serves every other request.
/// </summary>
public class SlowReaderTests(SlowReaderTests.LargeLedger ledger, ITestOutputHelper output) : IClassFixture<SlowReaderTests.LargeLedger>
{
    private const int PoolSize = 10;
    private const int ExportsPerKey = 2;
    private LedgerApi Api => ledger.Api;
    private string DatabaseName => ledger.Database;
    private Guid FigureId => ledger.Figure;

    /// <summary>
    /// A host with a small pool, on a ledger whose every export is larger than what the in-process transport buffers
    /// (64 KiB), so that a reader that stops reading stops the server mid-export.
    /// </summary>
    public sealed class LargeLedger : IAsyncLifetime
    {
        public LedgerApi Api { get; private set; } = null!;
        public string Database { get; private set; } = "";
        public Guid Figure { get; private set; }

        public async Task InitializeAsync()
        {
            var database = await TestDatabase.CreateAsync("slowreaders");
            Database = new NpgsqlConnectionStringBuilder(database).Database!;
            Api = await LedgerApi.StartOnDatabaseAsync($"{database};Maximum Pool Size={PoolSize};Timeout=5",
                new Dictionary<string, string> { ["ClaimLedger:RateLimit:ExportsPerKey"] = ExportsPerKey.ToString() });
            var words = string.Join(' ', Enumerable.Range(0, 200_000).Select(i => $"mot{i * 7919 % 100_003}"));
            for (var i = 0; i < 6; i++) await Api.Source(text: $"{i} {words}");
            var source = await Api.Source();
            Figure = await Api.Figure();
            var note = new string('n', 4_900);
            for (var i = 0; i < 20; i++)
            {
                var claim = await Api.Claim(source, Figure, 100 + i, $"originator {i}");
                (await Api.Post($"/api/claims/{claim}/verdict", new { verdict = "misleading", note }, LedgerApi.Reviewer)).Status.ShouldBe(200);
                (await Api.Post($"/api/claims/{claim}/disputes", new { reason = note }, LedgerApi.OtherChecker)).Status.ShouldBe(201);
            }
            await Api.SettleAsync();
            await Api.WaitForProjectionsAsync();
        }

        public async Task DisposeAsync() => await Api.DisposeAsync();
    }

    [Theory]
    [InlineData("/api/export/events")]
    [InlineData("/api/export/claimreview")]
    [InlineData("/api/figures/{figure}/revisions.csv")]
    public async Task More_stalled_export_readers_than_pooled_connections_hold_none_and_starve_no_other_request(string route)
    {
        var path = route.Replace("{figure}", FigureId.ToString());
        var before = await ConnectionsAsync();
        // A key of its own for each reader: the limit of concurrent exports per key is not what is tested here.
        var keys = new List<string>();
        for (var i = 0; i < PoolSize + 2; i++) keys.Add(await ApiKeys.IssueAsync(Api.Store, LedgerApi.Auditor, Roles.Auditor, TimeProvider.System));
        var readers = keys.Select(key => StartReadingAsync(path, key)).ToList();
        try
        {
            await Task.WhenAll(readers);
            var held = await ConnectionsAsync();
            var clock = Stopwatch.StartNew();
            var other = await WithinAsync(Api.Get("/api/figures"), TimeSpan.FromSeconds(10));
            output.WriteLine($"{path}: {readers.Count(r => r.Result?.IsSuccessStatusCode == true)} of {readers.Count} readers stalled " +
                             $"(answers: {string.Join(", ", readers.Select(r => r.Result is null ? "none" : ((int)r.Result.StatusCode).ToString()))}); pooled connections in use " +
                             $"{before.Used} before them, {held.Used} with them; the database's connections {before.Backends} before, {held.Backends} with them; " +
                             $"another request: {(other is null ? "no answer" : other.Status.ToString())} after {clock.ElapsedMilliseconds} ms");

            readers.ShouldAllBe(r => r.Result != null && r.Result.IsSuccessStatusCode, "every export starts");
            (held.Used - before.Used).ShouldBeLessThanOrEqualTo(1, "a stalled reader holds no pooled connection");
            other.ShouldNotBeNull("another request is served while the exports are stalled");
            other.Status.ShouldBe(200);
        }
        finally
        {
            foreach (var reader in readers) (await reader)?.Dispose();
        }
    }

    [Fact]
    public async Task An_export_of_many_pages_has_every_event_once_in_order_and_verifies_offline()
    {
        var export = await Api.Get("/api/export/events", LedgerApi.Auditor);
        export.Status.ShouldBe(200);
        var lines = export.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var events = await Api.ScalarAsync("select count(*) from claimledger.mt_events");
        (await Api.ScalarAsync("select sum(pg_column_size(data)) from claimledger.mt_events"))
            .ShouldBeGreaterThan(ClaimLedger.Audit.Exports.EventExport.PageBytes, "the export spans more than one page");
        lines.Count.ShouldBe((int)events);
        lines.Select(l => l.GetProperty("sequence").GetInt64()).ShouldBe(lines.Select(l => l.GetProperty("sequence").GetInt64()).Order());
        lines.Select(l => l.GetProperty("leafIndex").GetInt64()).ShouldBe(Enumerable.Range(0, lines.Count).Select(i => (long)i));

        var folder = Directory.CreateTempSubdirectory("claimledger-verify-");
        try
        {
            var exportFile = Path.Combine(folder.FullName, "events.ndjson");
            var checkpointFile = Path.Combine(folder.FullName, "checkpoint.json");
            var keyFile = Path.Combine(folder.FullName, "key.pem");
            await File.WriteAllTextAsync(exportFile, export.Body);
            await File.WriteAllTextAsync(checkpointFile, (await Api.Get("/api/audit/checkpoints/latest", LedgerApi.Auditor)).Body);
            await File.WriteAllTextAsync(keyFile, (await Api.Get("/api/audit/public-key", LedgerApi.Auditor)).Body);
            var verified = await ExportTests.Verify(exportFile, checkpointFile, keyFile);
            verified.ExitCode.ShouldBe(0, verified.StandardOutput + verified.StandardError);
            System.Text.Json.JsonDocument.Parse(ExportTests.LastLine(verified.StandardOutput)).RootElement.GetProperty("eventsChecked").GetInt64().ShouldBe(events);
        }
        finally { folder.Delete(true); }
    }

    [Fact]
    public async Task A_key_runs_a_few_exports_at_once_and_past_them_gets_429_with_Retry_After()
    {
        var key = await ApiKeys.IssueAsync(Api.Store, LedgerApi.Auditor, Roles.Auditor, TimeProvider.System);
        var running = new List<HttpResponseMessage?>();
        try
        {
            for (var i = 0; i < ExportsPerKey; i++) running.Add(await StartReadingAsync("/api/export/events", key));
            running.ShouldAllBe(r => r != null && r.IsSuccessStatusCode);

            var refused = await Api.Get($"/api/figures/{FigureId}/revisions.csv", key);
            refused.Status.ShouldBe(429, refused.Body);
            refused.ContentType.ShouldBe("application/problem+json");
            refused.ProblemField.ShouldBe("Authorization");
            refused.Headers.RetryAfter!.ToString().ShouldBe("5");
            (await Api.Get("/api/export/claimreview", LedgerApi.Auditor)).Status.ShouldBe(200, "another key is not affected");
            (await Api.Get("/api/figures", key)).Status.ShouldBe(200, "the key's other requests are not affected");

            // A client that goes away gives its export back.
            running[0]!.Dispose();
            running.RemoveAt(0);
            ApiResponse? again = null;
            for (var i = 0; i < 50 && again?.Status != 200; i++)
            {
                if (i > 0) await Task.Delay(100);
                again = await Api.Get("/api/export/claimreview", key);
            }
            again!.Status.ShouldBe(200);
        }
        finally
        {
            foreach (var response in running) response?.Dispose();
        }
    }

    /// <summary>Starts an export and reads nothing of its body; null when not even its headers come within 10 s.</summary>
    private async Task<HttpResponseMessage?> StartReadingAsync(string path, string key)
    {
        var client = Api.Host.Server.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await WithinAsync(client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead), TimeSpan.FromSeconds(10));
    }

    private static async Task<T?> WithinAsync<T>(Task<T> task, TimeSpan limit) where T : class =>
        await Task.WhenAny(task, Task.Delay(limit)) == task ? await task : null;

    private sealed record Connections(long Used, long Backends);

    /// <summary>
    /// The API pool's connections in use (Npgsql's own count, <c>db.client.connection.count</c>), and the connections
    /// PostgreSQL has open to the database (<c>pg_stat_activity</c>): the fewest of five looks 100 ms apart, as a
    /// connection held for a reader is held all along, and one the node's background work takes is soon given back.
    /// </summary>
    private async Task<Connections> ConnectionsAsync()
    {
        var looks = new List<Connections>();
        for (var i = 0; i < 5; i++)
        {
            if (i > 0) await Task.Delay(100);
            looks.Add(await LookAsync());
        }
        return new Connections(looks.Min(l => l.Used), looks.Min(l => l.Backends));
    }

    private async Task<Connections> LookAsync()
    {
        long used = 0;
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.connection.count") l.EnableMeasurementEvents(instrument);
            };
            void Count(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var inUse = false;
                var ours = false;
                foreach (var tag in tags)
                {
                    if (tag.Key == "db.client.connection.state" && tag.Value as string == "used") inUse = true;
                    if (tag.Key == "db.client.connection.pool.name" && tag.Value is string pool && pool.Contains(DatabaseName)) ours = true;
                }
                if (inUse && ours) used += value;
            }
            listener.SetMeasurementEventCallback<int>((_, value, tags, _) => Count(value, tags));
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Count(value, tags));
            listener.Start();
            listener.RecordObservableInstruments();
        }
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Api.ConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select count(*) from pg_stat_activity where datname = @db and pid <> pg_backend_pid() and backend_type = 'client backend'", conn);
        cmd.Parameters.AddWithValue("db", DatabaseName);
        return new Connections(used, (long)(await cmd.ExecuteScalarAsync())!);
    }
}
