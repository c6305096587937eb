using ClaimLedger.Claims;
using ClaimLedger.Claims.Searching;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// Words of quotes as the ledger holds them, accents and all; a quote draws them unevenly (Zipf), so that some words are
    /// in most quotes and most are in few, as in text.
    /// </summary>
    private static readonly string[] SearchWords =
    [
        "armée", "syrienne", "combats", "victimes", "civils", "personnes", "départ", "frappes", "aériennes", "bilan", "hôpital",
        "réfugiés", "déplacés", "école", "quartier", "offensive", "rebelles", "régime", "trêve", "accord", "élections", "économie",
        "inflation", "chômage", "hausse", "baisse", "année", "œuvre", "façade", "incendie", "army", "troops", "killed", "wounded",
        "displaced", "shelter", "ceasefire", "talks", "government", "forces", "police", "protest", "budget", "deficit",
    ];

    private static readonly string[] Originators =
        ["Observatoire syrien des droits de l’homme", "ONU", "OCHA", "Ministère de la Santé", "Agence France-Presse", "Reuters", "Croix-Rouge", "INSEE"];

    /// <summary>
    /// <c>GET /api/claims?q=</c> over the mode's count of claim summaries (written directly, as the inline projection writes
    /// them): p50 and p99 of searches of rare and common words, several words, and words with a filter, each without its
    /// accents and capitals as a reader types them. Target: p99 ≤ 50 ms at 100,000 claims.
    /// </summary>
    /// <remarks>
    /// The full run measures it before writing its other claims, and removes these afterwards: the other claims would all
    /// be newer than these and hold none of their words, and a page of a common word's matches, read from the newest
    /// claim along the order's index, would first step over every one of them (docs/benchmarks.md, "Claim search").
    /// </remarks>
    private async Task ClaimSearchAsync()
    {
        var count = mode.SearchClaims;
        await log.WriteLineAsync($"Search over {count:N0} claims");
        var random = new Random(29);
        var sources = Enumerable.Range(0, 500).Select(_ => Guid.CreateVersion7()).ToArray();
        var vocabulary = SearchWords.Concat(Enumerable.Range(0, 20_000).Select(i => $"mot{i}")).ToArray();
        string Word() => vocabulary[(int)Math.Min(vocabulary.Length - 1, Math.Floor(Math.Exp(random.NextDouble() * Math.Log(vocabulary.Length))) - 1)];
        var start = DateTimeOffset.UtcNow.AddDays(-400);
        var ids = new List<Guid>(count);
        for (var from = 0; from < count; from += 10_000)
        {
            var chunk = Enumerable.Range(from, Math.Min(10_000, count - from)).Select(i =>
            {
                var status = (ClaimStatus)random.Next(9);
                var at = ClaimSummary.Micros(start.AddSeconds(i * 300 + random.Next(300)));
                return new ClaimSummary
                {
                    Id = Guid.CreateVersion7(), Version = 1 + random.Next(5), Status = status, AttributedTo = Originators[random.Next(Originators.Length)],
                    SourceId = sources[random.Next(sources.Length)], Quote = string.Join(' ', Enumerable.Range(0, 12).Select(_ => Word())),
                    SubmittedBy = $"checker{random.Next(20)}", LastChangedAt = at,
                    Pending = status is ClaimStatus.Submitted or ClaimStatus.UnderReview ? new PendingDecision(PendingReason.AwaitingVerdict, at, "checker0") : null,
                };
            }).ToList();
            ids.AddRange(chunk.Select(c => c.Id));
            await _store.BulkInsertAsync(chunk, Weasel.Core.BulkInsertMode.InsertsOnly);
        }
        await ExecAsync($"analyze {ClaimSummary.Table}");
        await QuiesceAsync();
        var held = await ScalarAsync($"select count(*) from {ClaimSummary.Table}");

        string[] searches =
        [
            "armee", "ARMEE syrienne", "victimes civils", "hopital", "refugies", "oeuvre", "facade", "annee", "onu", "observatoire homme",
            "mot15000", "mot900", "mot42", "mot7 mot8", "deplaces&status=disputed", "combats&status=verified", "army troops", "inflation&limit=200",
            $"armee&sourceId={sources[7]}", "ceasefire talks",
        ];
        // Each search's own times too, so that a missed target names the search (or shows the machine, when all are slow alike).
        var times = searches.Select(_ => new List<double>()).ToArray();
        var search = await Measure.LatencyAsync(mode.Samples * 2, async i =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await GetAsync($"/api/claims?q={searches[i % searches.Length]}");
            times[i % searches.Length].Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        });
        var medians = times.Select((t, i) => (Search: searches[i], Median: t.Order().ElementAt(t.Count / 2))).OrderByDescending(m => m.Median).ToList();
        Add("Search", $"GET /api/claims?q= at {count:N0} claims, p50", search.P50, "ms",
            note: $"slowest medians: {string.Join(", ", medians.Take(3).Select(m => $"q={m.Search} {m.Median:0.0} ms"))}");
        Add("Search", $"GET /api/claims?q= at {count:N0} claims, p99", search.P99, "ms", "≤ 50 ms", search.P99 <= 50,
            $"{searches.Length} searches in turn (rare, common, several words, with filters); the table held {held:N0} claims");
        var list = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync("/api/claims"));
        Add("Search", $"GET /api/claims (no filter) at {count:N0} claims, p99", list.P99, "ms", note: $"p50 {list.P50:0.0} ms");

        // The table goes back to what it was before the search (empty: the run writes its other claims after), indexes
        // included, so that the HTTP rows write into the table they would have had without it, and no autovacuum of
        // 100,000 deleted rows runs beside their windows.
        if (held != ids.Count) throw new InvalidOperationException($"the claim summaries held {held - ids.Count:N0} claims besides the search's");
        await ExecAsync($"truncate {ClaimSummary.Table}");
        await QuietDatabaseAsync();
    }
}
