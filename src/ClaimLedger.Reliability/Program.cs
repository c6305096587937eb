using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Figures;
using ClaimLedger.Hosting;
using Marten;
using Npgsql;

namespace ClaimLedger.Reliability
{
    internal static class Entry
    {
        private static Task<int> Main(string[] args) => ReliabilityProgram.RunAsync(args, Console.Out);
    }

    public sealed record Report(string Mode, bool Ok, IReadOnlyDictionary<string, object> Figures, IReadOnlyList<string> Failures);

    /// <summary>
    /// The long runs, each with a short mode for CI:
    /// <c>crash [--kills N]</c> — SIGKILL the API under 8 writers, restart it, and check that every acknowledged write is
    /// stored exactly once, projections equal a rebuild, and the ledger verifies;
    /// <c>takeover</c> — two nodes, kill the one that sequences the ledger and runs the revision history, measure how long
    /// until the other takes each over;
    /// <c>soak [--seconds S]</c> — mixed traffic with memory and latency recorded per window.
    /// </summary>
    public static class ReliabilityProgram
    {
        public static async Task<int> RunAsync(string[] args, TextWriter log)
        {
            var mode = args.FirstOrDefault() ?? "crash";
            int Flag(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
            var report = mode switch
            {
                "crash" => await new Harness(log).CrashAsync(Flag("--kills", 20)),
                "takeover" => await new Harness(log).TakeoverAsync(),
                "soak" => await new Harness(log).SoakAsync(TimeSpan.FromSeconds(Flag("--seconds", 600))),
                _ => throw new ArgumentException($"unknown mode '{mode}': crash, takeover or soak"),
            };
            await log.WriteLineAsync(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            return report.Ok ? 0 : 1;
        }
    }

    internal sealed class Harness(TextWriter log)
    {
        private string _cs = "";
        private string _signingKey = "";
        private string _checkerKey = "", _auditorKey = "";

        private async Task PrepareAsync(string purpose)
        {
            var server = await LocalPostgres.EnsureServerAsync(m => log.WriteLine(m));
            _cs = await LocalPostgres.EnsureDatabaseAsync(server, $"clrel_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}_{purpose}");
            using var store = new DocumentStore(ClaimLedgerHost.LedgerStore(_cs));
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            _checkerKey = await ApiKeys.IssueAsync(store, "writer", Roles.Checker, TimeProvider.System);
            _auditorKey = await ApiKeys.IssueAsync(store, "auditor", Roles.Auditor, TimeProvider.System);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _signingKey = key.ExportPkcs8PrivateKeyPem();
        }

        private Task<ApiProcess> StartAsync(IDictionary<string, string>? settings = null) => ApiProcess.StartAsync(_cs, _signingKey, _checkerKey, settings);

        private static async Task<(Guid Source, Guid[] Figures)> ArrangeAsync(ApiProcess api)
        {
            var source = await PostAsync(api.Http, "/api/sources", new { title = "Reliability", outlet = "Test", language = "fr", publishedAt = "2024-11-29", text = "au moins 242 victimes depuis mercredi" }, null);
            var figures = new Guid[4];
            for (var i = 0; i < figures.Length; i++)
                figures[i] = (await PostAsync(api.Http, "/api/figures", new { title = $"F{i}", metric = "deaths", unit = "people" }, null)).Id!.Value;
            return (source.Id!.Value, figures);
        }

        private sealed record Posted(int Status, Guid? Id);

        private static async Task<Posted> PostAsync(HttpClient http, string path, object body, string? idempotencyKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            if (idempotencyKey != null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await http.SendAsync(request);
            Guid? id = null;
            if (response.IsSuccessStatusCode)
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (doc.RootElement.TryGetProperty("id", out var e)) id = e.GetGuid();
            }
            return new Posted((int)response.StatusCode, id);
        }

        // ---- crash ----
        public async Task<Report> CrashAsync(int kills)
        {
            await PrepareAsync("crash");
            var failures = new List<string>();
            var api = await StartAsync();
            var (source, figures) = await ArrangeAsync(api);
            var current = api;
            var submissions = new ConcurrentDictionary<string, Guid>();
            var evidence = new ConcurrentDictionary<string, Guid>();
            var stop = new CancellationTokenSource();
            long serverErrors = 0;

            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var token = $"w{w}-{i}";
                    var submit = submissions.IsEmpty || random.Next(3) > 0;
                    var claims = submissions.Values.ToArray();
                    var target = submit ? Guid.Empty : claims[random.Next(claims.Length)];
                    // Retried with the same Idempotency-Key until answered: a kill must neither lose nor double it.
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            var http = Volatile.Read(ref current).Http;
                            var posted = submit
                                ? await PostAsync(http, "/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = token, figureId = figures[w % figures.Length], value = new { amount = i, bound = "exact" } }, token)
                                : await PostAsync(http, $"/api/claims/{target}/evidence", new { sourceId = source, stance = "supports", note = token }, token);
                            if (posted.Status >= 500 && posted.Status != 503) Interlocked.Increment(ref serverErrors);
                            if (posted.Status is >= 200 and < 300)
                            {
                                if (submit) submissions[token] = posted.Id!.Value;
                                else evidence[token] = target;
                                break;
                            }
                            if (posted.Status is >= 400 and < 500) break;
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException) { }
                        await Task.Delay(50);
                    }
                }
            })).ToArray();

            var rng = new Random(42);
            for (var k = 0; k < kills; k++)
            {
                await Task.Delay(rng.Next(300, 1500));
                current.Kill();
                await log.WriteLineAsync($"  kill {k + 1}/{kills}: {submissions.Count} submissions and {evidence.Count} evidence acknowledged so far");
                var next = await StartAsync();
                Volatile.Write(ref current, next);
            }
            await Task.Delay(500);
            stop.Cancel();
            await Task.WhenAll(writers);

            await SettleAsync(failures);
            await using var conn = new NpgsqlConnection(_cs);
            await conn.OpenAsync();
            var submitted = await CountsAsync(conn, "claim_submitted", "attributedTo");
            var attached = await CountsAsync(conn, "evidence_attached", "note");
            foreach (var token in submissions.Keys)
                if (submitted.GetValueOrDefault(token) != 1) failures.Add($"acknowledged submission {token} is stored {submitted.GetValueOrDefault(token)} times");
            foreach (var token in evidence.Keys)
                if (attached.GetValueOrDefault(token) != 1) failures.Add($"acknowledged evidence {token} is stored {attached.GetValueOrDefault(token)} times");
            foreach (var (token, count) in submitted.Concat(attached))
                if (count > 1) failures.Add($"{token} is stored {count} times");
            if (serverErrors > 0) failures.Add($"{serverErrors} answers were 5xx other than 503");

            var live = await ProjectionSnapshot.TakeAsync(_cs);
            var verify = await Verify(current, failures);
            current.Kill();
            await RebuildMatchesAsync(live, failures);
            await DropAsync();
            return new Report("crash", failures.Count == 0, new Dictionary<string, object>
            {
                ["kills"] = kills, ["acknowledgedSubmissions"] = submissions.Count, ["acknowledgedEvidence"] = evidence.Count,
                ["writesChecked"] = submissions.Count + evidence.Count, ["eventsVerified"] = verify,
            }, failures);
        }

        private static async Task<Dictionary<string, int>> CountsAsync(NpgsqlConnection conn, string type, string field)
        {
            await using var cmd = new NpgsqlCommand($"select data->>'{field}', count(*) from claimledger.mt_events where type = @t group by 1", conn);
            cmd.Parameters.AddWithValue("t", type);
            await using var reader = await cmd.ExecuteReaderAsync();
            var counts = new Dictionary<string, int>();
            while (await reader.ReadAsync()) counts[reader.GetString(0)] = (int)reader.GetInt64(1);
            return counts;
        }

        /// <summary>Waits until every event is a leaf, a signed checkpoint covers them all, and the daemon's history has them.</summary>
        private async Task SettleAsync(List<string> failures)
        {
            var api = await StartAsync();
            try
            {
                await using var conn = new NpgsqlConnection(_cs);
                await conn.OpenAsync();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    await using var cmd = new NpgsqlCommand("select (select count(*) from claimledger.mt_events), (select count(*) from claimledger.ledger_leaves), " +
                        "(select coalesce(max(tree_size), 0) from claimledger.ledger_checkpoints), " +
                        $"({FigureHistoryProjection.LagSql})", conn);
                    await using var r = await cmd.ExecuteReaderAsync();
                    await r.ReadAsync();
                    if (r.GetInt64(0) == r.GetInt64(1) && r.GetInt64(1) == r.GetInt64(2) && r.GetInt64(3) <= 0) return;
                    await Task.Delay(200);
                }
                failures.Add("the ledger did not settle: some events are not in a signed checkpoint, or the revision history is behind");
            }
            finally { api.Kill(); }
        }

        private async Task<long> Verify(ApiProcess? running, List<string> failures)
        {
            var api = running is { Exited: false } ? running : await StartAsync();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/verify");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _auditorKey);
            using var response = await api.Http.SendAsync(request);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (!doc.RootElement.GetProperty("ok").GetBoolean()) failures.Add($"the ledger does not verify: {doc.RootElement}");
            if (!ReferenceEquals(api, running)) api.Kill();
            return doc.RootElement.GetProperty("eventsChecked").GetInt64();
        }

        /// <summary>With every node stopped: `projections rebuild`, then every document must be as it was live.</summary>
        private async Task RebuildMatchesAsync(Dictionary<string, Dictionary<string, string>> live, List<string> failures)
        {
            var rebuild = await RunCliAsync("projections", "rebuild");
            if (rebuild != 0) failures.Add($"projections rebuild exited {rebuild}");
            failures.AddRange(ProjectionSnapshot.Compare(live, await ProjectionSnapshot.TakeAsync(_cs)));
        }

        private async Task<int> RunCliAsync(params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClaimLedger.Api.dll"));
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["ConnectionStrings__ClaimLedger"] = _cs;
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var errors = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0) await log.WriteLineAsync(await output + await errors);
            return p.ExitCode;
        }

        // ---- takeover ----
        /// <summary>
        /// Two nodes. The first runs everything (it starts alone: the ledger sequencer by advisory lock, the revision
        /// history by Wolverine's assignment); it is killed under writes to the second. Measured: how long until the
        /// second sequences a new event, and how long until its daemon projects one. Then nothing may be missing: every
        /// event a leaf, the history complete, and equal to what a rebuild gives.
        /// </summary>
        public async Task<Report> TakeoverAsync()
        {
            await PrepareAsync("takeover");
            var failures = new List<string>();
            var first = await StartAsync();
            var (source, figures) = await ArrangeAsync(first);
            await WaitAsync("select count(*) from claimledger.ledger_checkpoints", n => n > 0, TimeSpan.FromSeconds(30));
            await WaitAsync(FigureHistoryProjection.LagSql, n => n <= 0, TimeSpan.FromSeconds(30));
            var second = await StartAsync();
            await WaitAsync("select count(*) from claimledger.wolverine_nodes", n => n == 2, TimeSpan.FromSeconds(30));
            var stop = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try { await PostAsync(second.Http, "/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = $"t{i % 7}", figureId = figures[i % 2], value = new { amount = i, bound = "exact" } }, $"t{i}"); }
                    catch (HttpRequestException) { }
                    await Task.Delay(20);
                }
            });
            await Task.Delay(1500);
            // The history runs where Wolverine's leader put it: on the first node, which was alone when it started.
            var runsHistory = await ScalarAsync("select count(*) from claimledger.wolverine_node_assignments a join claimledger.wolverine_nodes n on n.id = a.node_id " +
                                                "where a.id like '%figurehistory%' and n.started = (select min(started) from claimledger.wolverine_nodes)");
            if (runsHistory != 1) failures.Add("the revision history was not running on the first node before it was killed");
            var killedAt = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            first.Kill();
            var afterKill = $"select coalesce(min(seq_id), 0) from claimledger.mt_events where timestamp > '{killedAt:O}'";
            var sequencer = Task.Run(async () =>
            {
                await WaitAsync($"select count(*) from claimledger.ledger_leaves l join claimledger.mt_events e on e.seq_id = l.seq_id where e.timestamp > '{killedAt:O}'",
                    n => n > 0, TimeSpan.FromSeconds(60));
                return watch.Elapsed.TotalSeconds;
            });
            var projections = Task.Run(async () =>
            {
                await WaitAsync($"select case when ({afterKill}) = 0 then 0 else (select coalesce(max(last_seq_id), 0) from claimledger.mt_event_progression where name = '{FigureHistoryProjection.Name}:All') - ({afterKill}) + 1 end",
                    n => n > 0, TimeSpan.FromSeconds(120));
                return watch.Elapsed.TotalSeconds;
            });
            var sequencerSeconds = await sequencer;
            var projectionSeconds = await projections;
            await Task.Delay(1000);
            stop.Cancel();
            await writer;
            await WaitAsync("select (select count(*) from claimledger.mt_events) - (select count(*) from claimledger.ledger_leaves)", n => n == 0, TimeSpan.FromSeconds(30));
            await WaitAsync(FigureHistoryProjection.LagSql, n => n <= 0, TimeSpan.FromSeconds(60));
            var missing = await ScalarAsync("select count(*) from claimledger.mt_doc_figurepicture p where (p.data->>'revisionCount')::bigint <> " +
                                            "(select count(*) from claimledger.mt_doc_figurerevision r where r.data->>'figureId' = p.id::text)");
            if (missing > 0) failures.Add($"{missing} figures have a revision history shorter or longer than their picture's revision count");
            var verified = await Verify(second, failures);
            var live = await ProjectionSnapshot.TakeAsync(_cs);
            second.Kill();
            await RebuildMatchesAsync(live, failures);
            await DropAsync();
            return new Report("takeover", failures.Count == 0, new Dictionary<string, object>
            {
                ["takeoverSeconds"] = Math.Round(Math.Max(sequencerSeconds, projectionSeconds), 2),
                ["sequencerTakeoverSeconds"] = Math.Round(sequencerSeconds, 2),
                ["projectionTakeoverSeconds"] = Math.Round(projectionSeconds, 2),
                ["eventsVerified"] = verified,
            }, failures);
        }

        private async Task<long> ScalarAsync(string sql)
        {
            await using var conn = new NpgsqlConnection(_cs);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync());
        }

        private async Task WaitAsync(string sql, Func<long, bool> done, TimeSpan timeout)
        {
            await using var conn = new NpgsqlConnection(_cs);
            await conn.OpenAsync();
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                if (done(Convert.ToInt64(await cmd.ExecuteScalarAsync()))) return;
                if (DateTime.UtcNow > deadline) throw new TimeoutException(sql);
                await Task.Delay(50);
            }
        }

        // ---- soak ----
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

        private async Task DropAsync()
        {
            NpgsqlConnection.ClearAllPools();
            var db = new NpgsqlConnectionStringBuilder(_cs).Database!;
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_cs) { Database = "postgres", Pooling = false }.ConnectionString);
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists \"{db}\" with (force)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Every projected document, to compare what was live with what a rebuild gives.</summary>
    public static class ProjectionSnapshot
    {
        public static readonly string[] Tables =
            ["mt_doc_claim", "mt_doc_source", "mt_doc_figure", "mt_doc_figurepicture", "mt_doc_figureclaim", "mt_doc_figurehistorypicture",
             "mt_doc_figurehistoryclaim", "mt_doc_figurerevision", "mt_doc_figureentrychange"];

        public static async Task<Dictionary<string, Dictionary<string, string>>> TakeAsync(string cs)
        {
            var result = new Dictionary<string, Dictionary<string, string>>();
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            foreach (var table in Tables)
            {
                var rows = new Dictionary<string, string>();
                await using var cmd = new NpgsqlCommand($"select id::text, data::text from claimledger.{table}", conn);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetString(1);
                result[table] = rows;
            }
            return result;
        }

        public static IEnumerable<string> Compare(Dictionary<string, Dictionary<string, string>> live, Dictionary<string, Dictionary<string, string>> rebuilt)
        {
            foreach (var table in Tables)
            {
                if (live[table].Count != rebuilt[table].Count) yield return $"{table}: {live[table].Count} live, {rebuilt[table].Count} rebuilt";
                foreach (var (id, data) in live[table])
                    if (!rebuilt[table].TryGetValue(id, out var again) || again != data) { yield return $"{table} {id} differs after a rebuild"; break; }
            }
        }
    }
}
