using System.Globalization;
using System.Text.Json;
using ClaimLedger.Audit;
using ClaimLedger.Figures;
using Marten;
using Npgsql;
using ClaimLedger.Storage;
using ClaimLedger.Local;

namespace ClaimLedger.Benchmarks;

/// <summary>
/// One run of the benchmark: its database, the API it starts, the report's rows, and the order of the scenarios (each
/// in a file of its own under Scenarios/, named for what it measures).
/// </summary>
internal sealed partial class Run(BenchmarkProgram.Mode mode, List<Result> results, TextWriter log, bool variant = false) : IAsyncDisposable
{
    private string _cs = "";
    private DocumentStore _store = null!;
    private ClaimLedger.Reliability.ApiProcess? _api;
    private HttpClient _http = null!;
    private LoopbackClient? _loopback;
    private string _signingKey = "";
    /// <summary>Marten alone's store (its own schema, no projections), kept for the ratio's alternating windows.</summary>
    private DocumentStore? _bare;
    private readonly Random _random = new(20241129);
    /// <summary>The figure whose revisions were written directly (no events behind them) for the deep-page reads.</summary>
    private Guid? _syntheticRevisions;
    private static readonly string Payload = JsonSerializer.Serialize(new
    {
        claimId = Guid.NewGuid(), sourceId = Guid.NewGuid(), quote = "Les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils.",
        anchor = new { start = 512, end = 586 }, attributedTo = "OSDH (Observatoire syrien des droits de l'homme)", figureId = Guid.NewGuid(),
        value = new { amount = 242, bound = "AtLeast" }, validFrom = "2024-11-27T00:00:00+00:00",
    });

    private void Add(string section, string name, double value, string unit, string? target = null, bool? met = null, string? note = null)
    {
        results.Add(new Result(section, name, Math.Round(value, 3), unit, target, met, note));
        log.WriteLine($"  {section} / {name}: {value.ToString("0.###", CultureInfo.InvariantCulture)} {unit}{(target is null ? "" : $" (target {target}: {(met == true ? "met" : "MISSED")})")}");
    }

    /// <summary>
    /// Every connection to the benchmark's database times its WAL flushes (what a commit waits for beyond the CPU), so
    /// that <see cref="Beside"/> can say how long they took. A server where that is not allowed is measured without.
    /// </summary>
    private async Task TimeWalFlushesAsync(string database)
    {
        try
        {
            await using var conn = new NpgsqlConnection(_cs);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"alter database \"{database}\" set track_wal_io_timing = on", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (PostgresException e)
        {
            await log.WriteLineAsync($"WAL flushes are not timed: {e.MessageText}");
        }
    }

    /// <summary>A fresh database of the ledger's schema, timing its WAL flushes, and the API's signing key.</summary>
    private async Task PrepareAsync()
    {
        var server = await LocalPostgres.EnsureServerAsync(m => log.WriteLine(m));
        var database = $"clbench_{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_{mode.Name}{(variant ? "_b" : "")}";
        _cs = await LocalPostgres.EnsureDatabaseAsync(server, database);
        await TimeWalFlushesAsync(database);
        // The API's own connection settings (prepared statements) for every row: same database, same settings.
        _cs = LedgerDatabase.Tuned(new NpgsqlConnectionStringBuilder(_cs) { MaxPoolSize = 120 }.ConnectionString);
        _store = new DocumentStore(LedgerStore.For(_cs));
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        _signingKey = ClaimLedger.Audit.Notes.PemKeys.NewEd25519Pem();
    }

    public async Task ExecuteAsync()
    {
        await log.WriteLineAsync($"ClaimLedger benchmarks, {mode.Name} mode");
        await PrepareAsync();

        if (mode.RatioOnly)
        {
            await BareMartenAsync();
            await StartApiAsync();
            var submit = (await SubmissionsAsync()).Submission;
            // As warm as the full run leaves them (its earlier rows run each side for over a minute): a cold API
            // answered its first window 20–30 % slower (just-in-time compilation still at work).
            await Measure.CountAsync(8, mode.Duration + mode.Warmup, TimeSpan.Zero, MartenNewStreamAsync);
            await Measure.CountAsync(8, mode.Duration + mode.Warmup, TimeSpan.Zero, submit);
            await RatioAsync(submit);
            return;
        }
        if (mode.PagesOnly)
        {
            await PageWeightsAsync();
            return;
        }
        if (mode.RebuildOnly)
        {
            await SeedLikeTheFullRunAsync();
            await RebuildAsync(mode.RebuildProjection);
            return;
        }

        if (mode.VerifyOnly)
        {
            await SeedLikeTheFullRunAsync();
            // The API's sequencer makes the leaves and checkpoints; the verification runs once it has caught up.
            await StartApiAsync();
            await SettleAsync();
            await _api!.DisposeAsync();
            _api = null;
            await QuietDatabaseAsync();
            await VerifyAsync();
            return;
        }

        if (mode.SearchOnly)
        {
            await StartApiAsync();
            await ClaimSearchAsync();
            return;
        }

        var rawInsert = await RawInsertAsync();
        await CrudAsync();
        var martenAlone = await MartenAloneAsync();
        await StartApiAsync();
        // The search first, over its own claims alone (see ClaimSearchAsync).
        await ClaimSearchAsync();
        await HttpWritesAsync(martenAlone, rawInsert);
        await ReadsAsync();
        await ApiPeakMemoryAsync();
        // The API's daemon would run the history beside the rebuild: stop it first (its work is all settled).
        _loopback?.Dispose();
        _loopback = null;
        await _api!.DisposeAsync();
        _api = null;
        await RebuildAsync();
        await VerifyAsync();
    }

    /// <summary>The uncounted start of each alternating window: the short windows' loops start warm, not cold.</summary>
    private TimeSpan LeadIn => mode.Warmup < TimeSpan.FromSeconds(2) ? mode.Warmup : TimeSpan.FromSeconds(2);

    /// <summary>The middle one by <paramref name="key"/> (the lower of the two middle ones for an even count).</summary>
    private static T MedianBy<T>(IReadOnlyCollection<T> items, Func<T, double> key) =>
        items.OrderBy(key).ElementAt((items.Count - 1) / 2);

    /// <summary>Until the API's daemon has projected every event into the revision history, and the sequencer made them leaves.</summary>
    private async Task SettleAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await ScalarAsync($"select greatest(({FigureHistoryProjection.LagSql}), ({LedgerSchema.LagSql}))") <= 0) return;
            // Finely: the ratio's HTTP windows are charged until this returns.
            await Task.Delay(20);
        }
        throw new TimeoutException("the revision history or the ledger did not catch up in 10 minutes");
    }

    /// <summary>Until nothing runs in the background: the API's daemon has caught up, no autovacuum, a checkpoint done.</summary>
    private async Task QuiesceAsync()
    {
        await SettleAsync();
        await QuietDatabaseAsync();
    }

    /// <summary>Until PostgreSQL runs nothing in the background: no autovacuum (two minutes at most), a checkpoint done.</summary>
    private async Task QuietDatabaseAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await ScalarAsync("select count(*) from pg_stat_activity where backend_type = 'autovacuum worker'") > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        await ExecAsync("checkpoint");
    }

    /// <summary>
    /// Writes items <paramref name="from"/> to <paramref name="to"/> (exclusive) in transactions of at most
    /// <paramref name="batch"/>, each opened as the API opens its writes (the transaction id first, "bench" as the actor).
    /// </summary>
    private async Task WriteInBatchesAsync(int from, int to, int batch, Func<IDocumentSession, int, int, Task> write)
    {
        for (var start = from; start < to; start += batch)
        {
            await using var s = _store.LightweightSession();
            s.LastModifiedBy = "bench";
            await LedgerTransaction.BeginAsync(s, CancellationToken.None);
            await write(s, start, Math.Min(start + batch, to));
            await s.SaveChangesAsync();
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        return conn;
    }

    private async Task ExecAsync(string sql)
    {
        await using var conn = await OpenAsync();
        // Set-up and maintenance (a VACUUM of half a million events, a checkpoint) may take longer than a command's
        // default 30 s on a busy machine: they are waited for, not timed.
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _loopback?.Dispose();
        if (_api != null) await _api.DisposeAsync();
        _store?.Dispose();
        _bare?.Dispose();
        if (_cs.Length > 0)
        {
            // The benchmark database is dropped: runs must not accumulate on the developer's cluster.
            var db = new NpgsqlConnectionStringBuilder(_cs).Database!;
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_cs) { Database = "postgres", Pooling = false }.ConnectionString);
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists \"{db}\" with (force)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
