using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Audit;
using ClaimLedger.Benchmarks;
using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Hosting;
using ClaimLedger.Sources;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ClaimLedger.Benchmarks
{
    internal static class Entry
    {
        // A named entry point: a top-level one would be a second `Program` beside the API's in the tests.
        private static Task<int> Main(string[] args) => BenchmarkProgram.RunAsync(args);
    }

    /// <summary>
    /// ClaimLedger against the physical limit and the alternatives, in one run, on one machine, one database server:
    /// raw INSERT, a CRUD design, Marten alone, ClaimLedger over HTTP, reads against a raw primary-key SELECT,
    /// rebuild and verification rates, the API's peak memory. <c>--smoke</c> (seconds), <c>--quick</c> (~3 min), full (~10 min),
    /// <c>--ratio</c> (only the 8-client target's windows), <c>--rebuild</c> (only the rebuilds, of a ledger seeded like the full run's),
    /// <c>--compare</c> (HTTP submissions of the API as configured against a variant of its settings, in paired windows).
    /// </summary>
    public static class BenchmarkProgram
    {
        /// <param name="RatioRounds">Alternating windows of Marten alone and HTTP submissions (8 each) for the target's ratio.</param>
        /// <param name="RatioWindow">The counted length of each of those windows.</param>
        /// <param name="RatioOnly">Only the target's ratio (its alternating windows as in the full run): the one target that sits near its bound.</param>
        /// <param name="RebuildRuns">How many times each projection is rebuilt; its row is the median run.</param>
        /// <param name="RebuildOnly">Only the rebuilds, over a ledger seeded directly with the full run's mix of events.</param>
        /// <param name="RebuildProjection">Only this projection's rebuilds (<c>--rebuild --only Claim</c>).</param>
        /// <param name="CompareOnly">Only HTTP submissions at 8 clients, of two APIs in alternating windows: one as configured, one
        /// with the <see cref="VariantSettingPrefix"/> settings on top (<c>--compare</c>).</param>
        public sealed record Mode(string Name, TimeSpan Duration, TimeSpan Warmup, int[] PictureSizes, long RevisionDepth, int[] ClaimHistories, int Samples, int[] HttpClients,
            int RatioRounds, TimeSpan RatioWindow, bool RatioOnly = false, int RebuildRuns = 1, bool RebuildOnly = false, string? RebuildProjection = null,
            bool CompareOnly = false);

        public static readonly Mode Smoke = new("smoke", TimeSpan.FromSeconds(1), TimeSpan.Zero, [10, 100], 1_000, [10, 150], 30, [1, 8], 1, TimeSpan.FromSeconds(1));
        public static readonly Mode Quick = new("quick", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), [10, 1_000, 10_000], 100_000, [10, 10_000], 200, [1, 8, 32],
            3, TimeSpan.FromSeconds(4));
        public static readonly Mode Full = new("full", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), [10, 1_000, 100_000], 1_000_000, [10, 10_000], 500, [1, 8, 32],
            5, TimeSpan.FromSeconds(10), RebuildRuns: 3);
        public static readonly Mode Ratio = Full with { Name = "ratio", RatioOnly = true };
        public static readonly Mode Rebuild = Full with { Name = "rebuild", RebuildOnly = true, RebuildRuns = 5 };
        /// <summary>Paired windows need more rounds than the ratio: a setting worth keeping moves the median by a few per cent.</summary>
        public static readonly Mode Compare = Full with { Name = "compare", CompareOnly = true, RatioRounds = 9 };

        /// <summary>Environment variables named <c>CLBENCH_API_&lt;name&gt;</c> set <c>&lt;name&gt;</c> for the API's process alone.</summary>
        public const string ApiSettingPrefix = "CLBENCH_API_";

        /// <summary>
        /// In <c>--compare</c>, environment variables named <c>CLBENCH_B_&lt;name&gt;</c> set <c>&lt;name&gt;</c> for the
        /// second API alone (the variant), on top of the <see cref="ApiSettingPrefix"/> ones both get.
        /// </summary>
        public const string VariantSettingPrefix = "CLBENCH_B_";

        /// <summary>
        /// The API process's own settings: workstation GC, and each <see cref="ApiSettingPrefix"/> variable without its
        /// prefix, so that a setting is tried on the API (<c>CLBENCH_API_ClaimLedger__Submissions__GroupWriters=4</c>)
        /// without changing the load generator or Marten alone, which run in the benchmark's process.
        /// </summary>
        public static Dictionary<string, string> ApiSettings(System.Collections.IDictionary environment, bool variant = false)
        {
            var settings = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" };
            foreach (var prefix in variant ? [ApiSettingPrefix, VariantSettingPrefix] : new[] { ApiSettingPrefix })
                foreach (var (name, value) in Prefixed(environment, prefix)) settings[name] = value;
            return settings;
        }

        /// <summary>The variables named <paramref name="prefix"/>&lt;name&gt;, without the prefix, in name order.</summary>
        public static IEnumerable<(string Name, string Value)> Prefixed(System.Collections.IDictionary environment, string prefix) =>
            environment.Cast<System.Collections.DictionaryEntry>()
                .Where(v => v.Key is string name && name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
                .Select(v => (((string)v.Key)[prefix.Length..], v.Value as string ?? ""))
                .OrderBy(v => v.Item1, StringComparer.Ordinal);

        public static async Task<int> RunAsync(string[] args, TextWriter? log = null)
        {
            log ??= Console.Out;
            var mode = args.Contains("--smoke") ? Smoke : args.Contains("--quick") ? Quick : args.Contains("--ratio") ? Ratio : Full;
            // --compare alone is the full run's windows; with --smoke or --quick, that mode's.
            if (args.Contains("--compare")) mode = mode == Full ? Compare : mode with { Name = $"{mode.Name}-compare", CompareOnly = true };
            // --rebuild alone is the full run's ledger and five rebuilds; with --smoke or --quick, that mode's sizes.
            if (args.Contains("--rebuild")) mode = mode == Full ? Rebuild : mode with { Name = $"{mode.Name}-rebuild", RebuildOnly = true };
            if (Array.IndexOf(args, "--only") is var only and >= 0 && only + 1 < args.Length) mode = mode with { RebuildProjection = args[only + 1] };
            var outIndex = Array.IndexOf(args, "--out");
            var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(LocalPostgres.DataRoot(), "benchmarks");
            var results = new List<Result>();
            var run = new Run(mode, results, log);
            var started = Stopwatch.StartNew();
            await using var variant = mode.CompareOnly ? new Run(mode, results, log, variant: true) : null;
            try { await (variant is null ? run.ExecuteAsync() : run.CompareAsync(variant)); }
            finally { await run.DisposeAsync(); }

            var markdown = Report.Markdown(mode, results, started.Elapsed);
            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(Path.Combine(outDir, $"benchmarks-{mode.Name}.md"), markdown);
            await File.WriteAllTextAsync(Path.Combine(outDir, $"benchmarks-{mode.Name}.json"),
                JsonSerializer.Serialize(new { mode = mode.Name, machine = Report.Machine(), elapsedSeconds = started.Elapsed.TotalSeconds, results },
                    new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            await log.WriteLineAsync(markdown);
            await log.WriteLineAsync($"Written to {outDir}");
            return 0;
        }
    }

    internal sealed class Run(BenchmarkProgram.Mode mode, List<Result> results, TextWriter log, bool variant = false) : IAsyncDisposable
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
            _store = new DocumentStore(ClaimLedgerHost.LedgerStore(_cs));
            await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256)) _signingKey = key.ExportPkcs8PrivateKeyPem();
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
            if (mode.RebuildOnly)
            {
                await SeedLikeTheFullRunAsync();
                await RebuildAsync(mode.RebuildProjection);
                return;
            }

            var rawInsert = await RawInsertAsync();
            await CrudAsync();
            var martenAlone = await MartenAloneAsync();
            await StartApiAsync();
            await HttpWritesAsync(martenAlone, rawInsert);
            await ReadsAsync();
            await SettleAsync();
            var peak = PeakMemoryMb();
            Add("Memory", "API peak resident memory under load", peak, "MB", "≤ 400 MB", peak <= 400);
            // The API's daemon would run the history beside the rebuild: stop it first (its work is all settled).
            _loopback?.Dispose();
            _loopback = null;
            await _api!.DisposeAsync();
            _api = null;
            await RebuildAsync();
            await VerifyAsync();
        }

        // ---- 1. The physical limit ----
        private async Task<double> RawInsertAsync()
        {
            await log.WriteLineAsync("1. Raw Npgsql INSERT");
            await ExecAsync("create table if not exists bench_raw (seq bigserial primary key, stream_id uuid not null, version int not null, type text not null, data jsonb not null, ts timestamptz not null default now())");
            var single = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (_, _) =>
            {
                await using var conn = await OpenAsync();
                await using var cmd = new NpgsqlCommand("insert into bench_raw (stream_id, version, type, data) values (@s, 1, 'claim_submitted', @d::jsonb)", conn);
                cmd.Parameters.AddWithValue("s", Guid.NewGuid());
                cmd.Parameters.AddWithValue("d", Payload);
                await cmd.ExecuteNonQueryAsync();
                return 1;
            });
            Add("Raw INSERT", "one row per transaction, 8 connections", single, "events/s");
            var batched = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (_, _) =>
            {
                await using var conn = await OpenAsync();
                await using var tx = await conn.BeginTransactionAsync();
                await using var batch = new NpgsqlBatch(conn, tx);
                for (var i = 0; i < 100; i++)
                {
                    var c = new NpgsqlBatchCommand("insert into bench_raw (stream_id, version, type, data) values ($1, 1, 'claim_submitted', $2::jsonb)");
                    c.Parameters.AddWithValue(Guid.NewGuid());
                    c.Parameters.AddWithValue(Payload);
                    batch.BatchCommands.Add(c);
                }
                await batch.ExecuteNonQueryAsync();
                await tx.CommitAsync();
                return 100;
            });
            Add("Raw INSERT", "batches of 100 per transaction, 8 connections", batched, "events/s");
            return single;
        }

        // ---- 2. What a user would pick instead ----
        private async Task CrudAsync()
        {
            await log.WriteLineAsync("2. CRUD: UPDATE a claims row + INSERT an audit row");
            await ExecAsync("create table if not exists bench_claims (id uuid primary key, data jsonb not null, version int not null)");
            await ExecAsync("create table if not exists bench_audit (id bigserial primary key, claim_id uuid not null, data jsonb not null, at timestamptz not null default now())");
            var ids = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToArray();
            await using (var conn = await OpenAsync())
            await using (var copy = await conn.BeginTextImportAsync("copy bench_claims (id, data, version) from stdin"))
                foreach (var id in ids) await copy.WriteLineAsync($"{id}\t{{}}\t1");
            var crud = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (w, i) =>
            {
                var id = ids[(w * 7919 + i * 31) % ids.Length];
                await using var conn = await OpenAsync();
                await using var tx = await conn.BeginTransactionAsync();
                await using (var update = new NpgsqlCommand("update bench_claims set data = @d::jsonb, version = version + 1 where id = @id", conn, tx))
                {
                    update.Parameters.AddWithValue("d", Payload);
                    update.Parameters.AddWithValue("id", id);
                    await update.ExecuteNonQueryAsync();
                }
                await using (var audit = new NpgsqlCommand("insert into bench_audit (claim_id, data) values (@id, @d::jsonb)", conn, tx))
                {
                    audit.Parameters.AddWithValue("d", Payload);
                    audit.Parameters.AddWithValue("id", id);
                    await audit.ExecuteNonQueryAsync();
                }
                await tx.CommitAsync();
                return 1;
            });
            Add("CRUD", "UPDATE + audit INSERT per transaction, 8 connections", crud, "writes/s");
        }

        // ---- 3. The engine alone ----
        private async Task<double> MartenAloneAsync()
        {
            await log.WriteLineAsync("3. Marten alone (no projections)");
            var bare = await BareMartenAsync();
            var newStreams = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, MartenNewStreamAsync);
            Add("Marten alone", "new streams (ClaimSubmitted), 8 writers", newStreams, "events/s");
            var streams = new Guid[8];
            for (var i = 0; i < 8; i++)
            {
                await using var s = bare.LightweightSession();
                streams[i] = s.Events.StartStream(BenchSubmitted).Id;
                await s.SaveChangesAsync();
            }
            var appends = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (w, i) =>
            {
                await using var session = bare.LightweightSession();
                session.LastModifiedBy = "bench";
                session.Events.Append(streams[w], new EvidenceAttached(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Supports, $"n{i}"));
                await session.SaveChangesAsync();
                return 1;
            });
            Add("Marten alone", "appends to existing streams, 8 writers", appends, "events/s");
            return newStreams;
        }

        /// <summary>Marten alone's store: its own schema, the same events, no projections.</summary>
        private async Task<DocumentStore> BareMartenAsync()
        {
            var opts = new StoreOptions();
            opts.Connection(_cs);
            opts.DatabaseSchemaName = "bench_marten";
            opts.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsGuid;
            opts.Events.MetadataConfig.UserNameEnabled = true;
            opts.UseSystemTextJsonForSerialization(configure: JsonSetup.Configure);
            opts.Events.AddEventType<ClaimSubmitted>();
            opts.Events.AddEventType<EvidenceAttached>();
            var bare = _bare = new DocumentStore(opts);
            await bare.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            return bare;
        }

        private static readonly ClaimSubmitted BenchSubmitted = Submitted(Guid.NewGuid(), Guid.NewGuid());

        /// <summary>Marten alone's unit of work: one new stream with one ClaimSubmitted, in its own session and transaction.</summary>
        private async Task<int> MartenNewStreamAsync(int writer, int iteration)
        {
            await using var session = _bare!.LightweightSession();
            session.LastModifiedBy = "bench";
            var id = Guid.CreateVersion7();
            session.Events.StartStream(id, BenchSubmitted with { ClaimId = id });
            await session.SaveChangesAsync();
            return 1;
        }

        private static ClaimSubmitted Submitted(Guid sourceId, Guid? figureId, decimal amount = 242, string attributedTo = "OSDH") =>
            new(Guid.CreateVersion7(), sourceId, "au moins 242 victimes depuis mercredi", new Quotes.QuoteAnchor(10, 47), attributedTo, figureId,
                new ClaimValue(amount, Bound.AtLeast), new DateTimeOffset(2024, 11, 27, 0, 0, 0, TimeSpan.Zero), null, null);

        // ---- 4. ClaimLedger over HTTP ----
        private async Task StartApiAsync()
        {
            var key = await ApiKeys.IssueAsync(_store, "bench", Roles.Reviewer, TimeProvider.System);
            _api = await ClaimLedger.Reliability.ApiProcess.StartAsync(_cs, _signingKey, key, BenchmarkProgram.ApiSettings(Environment.GetEnvironmentVariables(), variant));
            _http = _api.Http;
            _loopback = new LoopbackClient(_http.BaseAddress!, _http.DefaultRequestHeaders.Authorization!.ToString());
        }

        private async Task<Guid> PostAsync(string path, object body)
        {
            using var response = await _http.PostAsJsonAsync(path, body, JsonSetup.Options);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            return doc.RootElement.TryGetProperty("id", out var id) ? id.GetGuid() : Guid.Empty;
        }

        private static readonly MediaTypeHeaderValue Json = new("application/json");

        private static string SubmissionBody(Guid source, Guid figure, string originator, int amount) =>
            $"{{\"sourceId\":\"{source}\",\"quote\":\"au moins 242 victimes depuis mercredi\",\"attributedTo\":\"{originator}\",\"figureId\":\"{figure}\",\"value\":{{\"amount\":{amount},\"bound\":\"at_least\"}},\"validFrom\":\"2024-11-27\"}}";

        private static Guid CreatedId(string location) => Guid.Parse(location.AsSpan(location.LastIndexOf('/') + 1));

        /// <summary>
        /// One claim submission through the loopback client, on the worker's own connection and thread: the body written
        /// as text, the new claim's id taken from the Location header (building and parsing JSON would be the load
        /// generator's CPU, taken from what it measures).
        /// </summary>
        private Guid Submit(int worker, Guid source, Guid figure, string originator, int amount)
        {
            var response = _loopback!.Post(worker, "/api/claims", SubmissionBody(source, figure, originator, amount));
            if (response.Status != 201 || response.Location is not { } location)
                throw new InvalidOperationException($"/api/claims: {response.Status} {response.Problem}");
            return CreatedId(location);
        }

        /// <summary>The same submission through .NET's HttpClient, for the row that shows what a heavier client costs the machine.</summary>
        private async Task<Guid> SubmitThroughHttpClientAsync(Guid source, Guid figure, string originator, int amount)
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(SubmissionBody(source, figure, originator, amount)));
            content.Headers.ContentType = Json;
            using var response = await _http.PostAsync("/api/claims", content);
            if (response.StatusCode != System.Net.HttpStatusCode.Created || response.Headers.Location is not { } location)
                throw new InvalidOperationException($"/api/claims: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return CreatedId(location.OriginalString);
        }

        private async Task HttpWritesAsync(double martenAlone, double rawInsert)
        {
            await log.WriteLineAsync("4. ClaimLedger over HTTP (loopback, keep-alive)");
            var (source, claims, submit, submitThroughHttpClient) = await SubmissionsAsync();

            foreach (var clients in mode.HttpClients)
            {
                var rate = await Measure.ThroughputAsync(clients, mode.Duration, mode.Warmup, submit);
                Add("HTTP", $"claim submissions, {clients} clients", rate, "claims/s", note: clients == 8
                    ? $"÷ Marten alone (section 3, minutes before) = {rate / martenAlone:0.00}; ÷ raw INSERT = {rate / rawInsert:0.00}"
                    : null);
                if (clients == 8) await LoadGeneratorsAsync(submit, submitThroughHttpClient);
            }
            await RatioAsync(submit);
            var known = claims.ToArray();
            var lifecycle = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, (w, i) =>
            {
                var path = $"/api/claims/{known[(w * 7919 + i * 104729) % known.Length]}/evidence";
                var response = _loopback!.Post(w, path, $"{{\"sourceId\":\"{source}\",\"stance\":\"supports\",\"note\":\"w{w} {i}\"}}");
                if (response.Status is < 200 or >= 300) throw new InvalidOperationException($"{path}: {response.Status} {response.Problem}");
                return Task.FromResult(1);
            });
            Add("HTTP", "lifecycle writes (evidence on random claims), 8 clients", lifecycle, "writes/s");
        }

        /// <summary>The uncounted start of each alternating window: the short windows' loops start warm, not cold.</summary>
        private TimeSpan LeadIn => mode.Warmup < TimeSpan.FromSeconds(2) ? mode.Warmup : TimeSpan.FromSeconds(2);

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

        /// <summary>A source and 16 figures to submit claims on (5 originators), and the claims submitted.</summary>
        private async Task<(Guid Source, System.Collections.Concurrent.ConcurrentBag<Guid> Claims, Func<int, int, Task<int>> Submission, Func<int, int, Task<int>> SubmissionThroughHttpClient)> SubmissionsAsync()
        {
            var source = await PostAsync("/api/sources", new { title = "Bench", outlet = "Bench", language = "fr", publishedAt = "2024-11-29", text = "Les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils." });
            var figures = new Guid[16];
            for (var i = 0; i < figures.Length; i++) figures[i] = await PostAsync("/api/figures", new { title = $"Bench {i}", metric = "deaths", unit = "people" });
            var originators = Enumerable.Range(0, 5).Select(o => $"originator {o}").ToArray();
            var claims = new System.Collections.Concurrent.ConcurrentBag<Guid>();
            Task<int> Submission(int w, int i)
            {
                claims.Add(Submit(w, source, figures[w % figures.Length], originators[w % originators.Length], 242 + i));
                return Task.FromResult(1);
            }
            async Task<int> SubmissionThroughHttpClientAsync(int w, int i)
            {
                claims.Add(await SubmitThroughHttpClientAsync(source, figures[w % figures.Length], originators[w % originators.Length], 242 + i));
                return 1;
            }

            return (source, claims, Submission, SubmissionThroughHttpClientAsync);
        }

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
        /// <c>--compare</c>: HTTP submissions at 8 clients through two APIs in alternating windows, each measured like the
        /// ratio's HTTP window. This run's API runs as configured; the variant's, on a database of its own, runs with the
        /// <see cref="BenchmarkProgram.VariantSettingPrefix"/> settings on top. Runs minutes apart differ by more than
        /// most settings do (docs/benchmarks.md); paired windows meet the same machine, so the median round's variant ÷
        /// as configured is what the setting does. With no variant setting, both run alike: the spread of that A/A
        /// comparison is the noise a setting has to beat.
        /// </summary>
        public async Task CompareAsync(Run variant)
        {
            var settings = BenchmarkProgram.Prefixed(Environment.GetEnvironmentVariables(), BenchmarkProgram.VariantSettingPrefix)
                .Select(s => $"{s.Name}={s.Value}").ToList();
            var described = settings.Count > 0 ? string.Join(", ", settings) : $"none (no {BenchmarkProgram.VariantSettingPrefix} variable: an A/A comparison, the noise)";
            await log.WriteLineAsync($"ClaimLedger benchmarks, {mode.Name} mode; the variant's settings: {described}");
            var submit = await ReadyToSubmitAsync();
            var variantSubmit = await variant.ReadyToSubmitAsync();
            var rounds = new List<(double AsConfigured, double Variant)>();
            for (var round = 0; round < mode.RatioRounds; round++)
            {
                // Which goes first alternates, so that a machine speeding up or slowing down within rounds favours neither.
                var variantFirst = round % 2 == 1;
                var first = variantFirst ? await variant.SubmissionWindowAsync(variantSubmit) : await SubmissionWindowAsync(submit);
                var second = variantFirst ? await SubmissionWindowAsync(submit) : await variant.SubmissionWindowAsync(variantSubmit);
                var (asConfigured, changed) = variantFirst ? (second, first) : (first, second);
                rounds.Add((asConfigured.Rate, changed.Rate));
                await log.WriteLineAsync($"    round {round + 1}: as configured {asConfigured.Rate:N0} claims/s; {asConfigured.Summary}");
                await log.WriteLineAsync($"    round {round + 1}: variant {changed.Rate:N0} claims/s; {changed.Summary}");
            }
            var median = MedianBy(rounds, r => r.Variant / r.AsConfigured);
            Add("HTTP", $"claim submissions at 8 clients, the variant ÷ as configured, alternating {mode.RatioWindow.TotalSeconds:0} s windows (median of {rounds.Count})",
                median.Variant / median.AsConfigured, "×", note: $"the variant's settings: {described}; rounds (claims/s, variant ÷ as configured): " +
                string.Join("; ", rounds.Select(r => $"{r.Variant:N0} / {r.AsConfigured:N0} = {r.Variant / r.AsConfigured:0.00}")));
        }

        /// <summary>This run's database, its API and the submissions' source and figures, warmed like the ratio's.</summary>
        private async Task<Func<int, int, Task<int>>> ReadyToSubmitAsync()
        {
            await PrepareAsync();
            await StartApiAsync();
            var submit = (await SubmissionsAsync()).Submission;
            await Measure.CountAsync(8, mode.Duration + mode.Warmup, TimeSpan.Zero, submit);
            return submit;
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

        /// <summary>The middle one by <paramref name="key"/> (the lower of the two middle ones for an even count).</summary>
        private static T MedianBy<T>(IReadOnlyCollection<T> items, Func<T, double> key) =>
            items.OrderBy(key).ElementAt((items.Count - 1) / 2);

        // ---- 5. Reads ----
        private async Task ReadsAsync()
        {
            await log.WriteLineAsync("5. Reads");
            var source = Guid.CreateVersion7();
            await using (var s = _store.LightweightSession())
            {
                s.Events.StartStream<Source>(source, new SourceRegistered(source, "Bench", "Bench", null, "fr", DateTimeOffset.UtcNow, null, null));
                await s.SaveChangesAsync();
            }
            var anyPicture = Guid.Empty;
            (double P50, double P99) floor = default;
            foreach (var size in mode.PictureSizes)
            {
                var figure = await FigureWithClaimsAsync(source, size);
                anyPicture = figure;
                // Reads are measured once the API's daemon has put the claims just written into the history: otherwise
                // they share the two cores with that catch-up (measured: p99 8.6 ms at 10 claims as at 100,000).
                await QuiesceAsync();
                floor = await Measure.LatencyAsync(mode.Samples, async _ => await RawSelectAsync("mt_doc_figurepicture", figure));
                var picture = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/figures/{figure}"));
                var largest = size == mode.PictureSizes[^1];
                Add("Reads", $"figure picture p50, {size:N0} claims", picture.P50, "ms", note: $"÷ raw SELECT p50 = {picture.P50 / floor.P50:0.0}");
                Add("Reads", $"figure picture p99, {size:N0} claims", picture.P99, "ms", largest ? "≤ 10 ms" : null, largest ? picture.P99 <= 10 : null,
                    $"÷ raw SELECT p99 = {picture.P99 / floor.P99:0.0}");
                if (largest)
                {
                    // As of random moments of the figure's history: the last revision at or before T, then one probe per originator.
                    var times = await RevisionTimesAsync(figure);
                    var random = new Random(size);
                    var asOf = await Measure.LatencyAsync(mode.Samples, async _ =>
                        await GetAsync($"/api/figures/{figure}?asOf={Uri.EscapeDataString(times[random.Next(times.Count)].ToString("O"))}"));
                    Add("Reads", $"figure as of a random time, {size:N0} revisions, p50", asOf.P50, "ms");
                    Add("Reads", $"figure as of a random time, {size:N0} revisions, p99", asOf.P99, "ms");
                }
            }
            Add("Reads", "raw primary-key SELECT p50 (floor)", floor.P50, "ms");
            Add("Reads", "raw primary-key SELECT p99 (floor)", floor.P99, "ms");

            var deep = mode.RevisionDepth;
            var revisionFigure = await FigureWithRevisionsAsync(deep);
            _syntheticRevisions = revisionFigure;
            await QuiesceAsync();
            var shallow = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/figures/{revisionFigure}/revisions?limit=100"));
            var cursor = ClaimLedger.Figures.Revisions.GetRevisionsEndpoint.Cursor.Write(revisionFigure, deep - 100);
            var deepPage = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/figures/{revisionFigure}/revisions?limit=100&after={cursor}"));
            Add("Reads", "revisions page (100) at depth 0, p50", shallow.P50, "ms");
            Add("Reads", $"revisions page (100) at depth {deep:N0}, p50", deepPage.P50, "ms", "≤ 2 × depth 0", deepPage.P50 <= 2 * shallow.P50,
                $"ratio {deepPage.P50 / shallow.P50:0.00}; p99 {shallow.P99:0.0} → {deepPage.P99:0.0} ms");

            foreach (var events in mode.ClaimHistories)
            {
                var claim = await ClaimWithEventsAsync(source, events);
                await QuiesceAsync();
                var random = new Random(events);
                var asOf = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/claims/{claim}?version={random.Next(1, events + 1)}"));
                var claimFloor = await Measure.LatencyAsync(mode.Samples, async _ => await RawSelectAsync("mt_doc_claim", claim));
                Add("Reads", $"claim as of a random version, {events:N0} events, p50", asOf.P50, "ms", note: $"÷ raw SELECT = {asOf.P50 / claimFloor.P50:0.0}");
                Add("Reads", $"claim as of a random version, {events:N0} events, p99", asOf.P99, "ms");
            }
        }

        private async Task<Guid> FigureWithClaimsAsync(Guid source, int claims)
        {
            var figure = Guid.CreateVersion7();
            await using (var s = _store.LightweightSession())
            {
                s.Events.StartStream<Figure>(figure, new FigureDefined(figure, $"Picture {claims}", "deaths", "people", null, null));
                await s.SaveChangesAsync();
            }
            await WriteInBatchesAsync(0, claims, 500, (s, from, to) =>
            {
                for (var done = from; done < to; done++)
                {
                    var e = Submitted(source, figure, 100 + done % 900, $"originator {done % 5}");
                    s.Events.StartStream<Claim>(e.ClaimId, e);
                }
                return Task.CompletedTask;
            });
            return figure;
        }

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

        private async Task<List<DateTimeOffset>> RevisionTimesAsync(Guid figure)
        {
            await SettleAsync();
            await using var conn = await OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "select (data->>'recordedAt')::timestamptz from claimledger.mt_doc_figurerevision where data->>'figureId' = @f order by random() limit 200", conn);
            cmd.Parameters.AddWithValue("f", figure.ToString());
            await using var reader = await cmd.ExecuteReaderAsync();
            var times = new List<DateTimeOffset>();
            while (await reader.ReadAsync()) times.Add(reader.GetFieldValue<DateTimeOffset>(0));
            return times;
        }

        private async Task<Guid> FigureWithRevisionsAsync(long depth)
        {
            var figure = Guid.CreateVersion7();
            await using (var s = _store.LightweightSession())
            {
                s.Events.StartStream<Figure>(figure, new FigureDefined(figure, "Revisions", "deaths", "people", null, null));
                await s.SaveChangesAsync();
            }
            var claim = Guid.CreateVersion7();
            var at = DateTimeOffset.UtcNow.AddDays(-30);
            for (long from = 1; from <= depth; from += 50_000)
            {
                var chunk = new List<FigureRevision>();
                for (var r = from; r < from + 50_000 && r <= depth; r++)
                    chunk.Add(new FigureRevision
                    {
                        Id = FigureRevision.IdFor(figure, r), FigureId = figure, Revision = r, RecordedAt = at.AddMilliseconds(r), Actor = "bench",
                        ClaimId = claim, AttributedTo = "OSDH", Change = RevisionChange.EvidenceAttached, Value = new ClaimValue(242, Bound.AtLeast),
                        Status = ClaimStatus.UnderReview, SourceId = claim, Reason = "bench",
                    });
                await _store.BulkInsertAsync(chunk, Weasel.Core.BulkInsertMode.InsertsOnly);
            }
            await ExecAsync("analyze claimledger.mt_doc_figurerevision");
            return figure;
        }

        private async Task<Guid> ClaimWithEventsAsync(Guid source, int events)
        {
            var claim = Guid.CreateVersion7();
            await using (var s = _store.LightweightSession())
            {
                s.LastModifiedBy = "bench";
                await LedgerTransaction.BeginAsync(s, CancellationToken.None);
                s.Events.StartStream<Claim>(claim, Submitted(source, null) with { ClaimId = claim, Value = null });
                await s.SaveChangesAsync();
            }
            await WriteInBatchesAsync(1, events, 1000, async (s, from, to) =>
            {
                var stream = await s.Events.FetchForWriting<Claim>(claim);
                for (var done = from; done < to; done++)
                    stream.AppendOne(new EvidenceAttached(Guid.NewGuid(), source, null, null, Stance.Supports, $"note {done}"));
            });
            return claim;
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

        private async Task GetAsync(string path)
        {
            using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
        }

        private async Task RawSelectAsync(string table, Guid id)
        {
            await using var conn = await OpenAsync();
            await using var cmd = new NpgsqlCommand($"select data from claimledger.{table} where id = @id", conn);
            cmd.Parameters.AddWithValue("id", id);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) _ = reader.GetString(0);
        }

        /// <summary>
        /// The full run's ledger without its measurements (for <c>--rebuild</c>): in full mode about 250,000 submissions over
        /// 16 figures and 5 originators (what its HTTP rows write), 20,000 pieces of evidence on them, a figure with 100,000
        /// claims and a claim with 10,000 events (its read fixtures). Smaller modes scale it down.
        /// </summary>
        private async Task SeedLikeTheFullRunAsync()
        {
            var submissions = mode.PictureSizes[^1] * 5 / 2;
            var evidence = submissions / 12;
            await log.WriteLineAsync("Seeding a ledger like the full run's");
            var source = Guid.CreateVersion7();
            var figures = Enumerable.Range(0, 16).Select(_ => Guid.CreateVersion7()).ToArray();
            await using (var s = _store.LightweightSession())
            {
                s.Events.StartStream<Source>(source, new SourceRegistered(source, "Bench", "Bench", null, "fr", DateTimeOffset.UtcNow, null, null));
                for (var f = 0; f < figures.Length; f++)
                    s.Events.StartStream<Figure>(figures[f], new FigureDefined(figures[f], $"Bench {f}", "deaths", "people", null, null));
                await s.SaveChangesAsync();
            }
            var claims = new List<Guid>();
            await WriteInBatchesAsync(0, submissions, 500, (s, from, to) =>
            {
                for (var done = from; done < to; done++)
                {
                    var e = Submitted(source, figures[done % figures.Length], 242 + done, $"originator {done % 5}");
                    s.Events.StartStream<Claim>(e.ClaimId, e);
                    claims.Add(e.ClaimId);
                }
                return Task.CompletedTask;
            });
            // Random claims, each at most once in a transaction.
            await WriteInBatchesAsync(0, evidence, 500, (s, from, to) =>
            {
                var picked = new HashSet<Guid>();
                for (var done = from; done < to; done++)
                {
                    Guid claim;
                    do claim = claims[_random.Next(claims.Count)]; while (!picked.Add(claim));
                    s.Events.Append(claim, new EvidenceAttached(Guid.NewGuid(), source, null, null, Stance.Supports, $"note {done}"));
                }
                return Task.CompletedTask;
            });
            await FigureWithClaimsAsync(source, mode.PictureSizes[^1]);
            await ClaimWithEventsAsync(source, mode.ClaimHistories[^1]);
        }

        // ---- 6. Rebuild and verification ----

        /// <param name="only">One projection's rebuild (<c>--rebuild --only Claim</c>), or all of them.</param>
        private async Task RebuildAsync(string? only = null)
        {
            await log.WriteLineAsync("6. Projection rebuild and ledger verification");
            var events = await ScalarAsync("select count(*) from claimledger.mt_events");
            // The deep-page fixture's million revisions have no events behind them: a rebuild would spend its time
            // deleting them, and no real history has revisions without events. They go before the clock starts.
            if (_syntheticRevisions is { } synthetic)
            {
                // Its dead rows go with the VACUUM ANALYZE that every rebuild below starts with.
                await ExecAsync($"delete from claimledger.mt_doc_figurerevision where id like '{synthetic:N}/%'");
            }
            using var daemon = await _store.BuildProjectionDaemonAsync();
            foreach (var projection in new[] { FigurePictureProjection.Name, FigureHistoryProjection.Name, ClaimProjection.ProjectionName }.Where(p => only is null || p == only))
            {
                var runs = new List<(double Rate, double WalBytes, string Beside)>();
                for (var run = 0; run < mode.RebuildRuns; run++)
                {
                    // Each rebuild starts from a quiet database, as each ratio window does, and with nothing left for
                    // autovacuum to take up from what the earlier sections (or the rebuild before) wrote: a worker that starts
                    // in the middle of a rebuild takes one of the two cores (measured: 22 s of autovacuum beside a rebuild,
                    // which ran at 14,700 events/s against 17,600–17,900 beside it). What a rebuild's own writes set off
                    // during it is its own cost.
                    await ExecAsync("vacuum analyze");
                    await QuietDatabaseAsync();
                    await using var beside = await Beside.StartAsync(_cs,
                        $"select coalesce(max(last_seq_id), 0) from claimledger.mt_event_progression where name = '{projection}:All'");
                    using var stages = new RangeStages($"{projection}:All");
                    var watch = Stopwatch.StartNew();
                    await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(20), CancellationToken.None);
                    var rate = events / watch.Elapsed.TotalSeconds;
                    var besideIt = $"{await beside.StopAsync()}; {stages.Describe(watch.Elapsed)}";
                    runs.Add((rate, beside.WalBytes, besideIt));
                    await log.WriteLineAsync($"    {projection} rebuild {run + 1}: {rate:N0} events/s; {runs[^1].Beside}");
                }
                // The median run, and what ran beside it: a slow figure says whether the machine or the database was busy.
                var median = MedianBy(runs, r => r.Rate);
                Add("Rebuild", $"{projection} rebuild ({events:N0} events)", median.Rate, "events/s", "≥ 20,000 events/s", median.Rate >= 20_000,
                    (runs.Count > 1 ? $"median of {runs.Count} rebuilds: {string.Join(", ", runs.Select(r => r.Rate.ToString("N0", CultureInfo.InvariantCulture)))} events/s; " : "") +
                    $"WAL {(median.WalBytes / events).ToString("N0", CultureInfo.InvariantCulture)} bytes per event; beside it: {median.Beside}");
            }
        }

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
            Add("Verify", $"ledger verification ({report.EventsChecked:N0} events, ok = {report.Ok && first.Ok})", rate, "events/s", "≥ 100,000 events/s",
                rate >= 100_000, $"first pass in a fresh process: {firstRate:N0} events/s");
        }

        private double PeakMemoryMb() => _api?.PeakMemoryMb() ?? double.NaN;

        private async Task<NpgsqlConnection> OpenAsync()
        {
            var conn = new NpgsqlConnection(_cs);
            await conn.OpenAsync();
            return conn;
        }

        private async Task ExecAsync(string sql)
        {
            await using var conn = await OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
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

    public static class Report
    {
        public static string Machine() =>
            $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

        public static string Markdown(BenchmarkProgram.Mode mode, IReadOnlyList<Result> results, TimeSpan elapsed)
        {
            var sb = new StringBuilder();
            sb.AppendLine($"## ClaimLedger benchmarks ({mode.Name} mode, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:0.0} min)");
            sb.AppendLine();
            sb.AppendLine($"Machine: {Machine()}. One PostgreSQL server (the runner's provisioning), " +
                          (mode.CompareOnly ? "a database for each of the two APIs" : "one database") + ", same settings for every row " +
                          $"(the API's connection settings, prepared statements included). Every throughput row runs {mode.Warmup.TotalSeconds:0} s uncounted before its {mode.Duration.TotalSeconds:0} s.");
            sb.AppendLine();
            sb.AppendLine("| section | measure | value | unit | target | met | notes |");
            sb.AppendLine("|---|---|---:|---|---|---|---|");
            foreach (var r in results)
                sb.AppendLine($"| {r.Section} | {r.Name} | {r.Value.ToString("#,0.###", CultureInfo.InvariantCulture)} | {r.Unit} | {r.Target ?? ""} | {(r.Met is null ? "" : r.Met.Value ? "yes" : "**no**")} | {r.Note ?? ""} |");
            return sb.ToString();
        }
    }
}
