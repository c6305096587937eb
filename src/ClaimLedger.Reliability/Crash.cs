using System.Collections.Concurrent;
using ClaimLedger.Figures;
using Npgsql;

namespace ClaimLedger.Reliability;

internal sealed partial class Harness
{
    /// <summary>
    /// SIGKILL the API under 8 writers, <paramref name="kills"/> times, restarting it each time; then every acknowledged
    /// write must be stored exactly once, the projections must equal a rebuild, and the ledger must verify.
    /// </summary>
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
}
