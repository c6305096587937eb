using System.Text;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.IntegrationTests.Audit;
using CsCheck;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>
/// Property-based fuzzing of bodies, headers, route ids, paths, methods and query strings on every route
/// (<see cref="FuzzRequests"/>): no 5xx, every refusal a problem document, no body on HEAD, and nothing appended on a
/// refusal. Every failing request is listed, with its response, rather than the first one alone.
/// </summary>
public class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApi _api = null!;
    private Dictionary<string, string> _ids = new();

    public async Task InitializeAsync()
    {
        _api = await LedgerApi.StartAsync("fuzz");
        var source = await _api.Source();
        var figure = await _api.Figure();
        var claim = await _api.Claim(source, figure);
        var dispute = (await _api.Post($"/api/claims/{claim}/disputes", new { reason = "r" }, LedgerApi.OtherChecker)).Json.GetProperty("disputeId").GetString()!;
        _ids = new() { ["{source}"] = source.ToString(), ["{figure}"] = figure.ToString(), ["{claim}"] = claim.ToString(), ["{dispute}"] = dispute };
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>
    /// How many requests a run generates: <c>CLAIMLEDGER_FUZZ_CASES</c> (the long mode: 10000 or more), else 2,500 — the
    /// short mode of the normal suite.
    /// </summary>
    public static int Cases => int.TryParse(Environment.GetEnvironmentVariable("CLAIMLEDGER_FUZZ_CASES"), out var n) && n > 0 ? n : 2_500;

    [Fact]
    public async Task Thousands_of_hostile_requests_get_no_5xx_a_problem_for_every_refusal_and_append_nothing_when_refused()
    {
        var failures = new List<string>();
        var sent = new int[Routes.All.Length];
        var statuses = new SortedDictionary<string, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await FuzzRequests.Request.SampleAsync(async request =>
        {
            var route = Routes.All[request.Route];
            var path = Fill(request.Path);
            var headers = request.Headers.GroupBy(h => h.Name).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(h => h.Value)));
            var body = request.Body is null ? null : Fill(request.Body);
            var before = await _api.ScalarAsync("select coalesce(max(seq_id), 0) from claimledger.mt_events");

            ApiResponse response;
            try { response = await _api.Send(new HttpMethod(request.Method), path + request.Query, body, request.User, headers); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or UriFormatException) { return; } // the client refused to send it
            sent[request.Route]++;
            var key = $"{request.Method} {route.Path.Split('?')[0]} → {response.Status}";
            statuses[key] = statuses.GetValueOrDefault(key) + 1;

            var seen = $"{request with { Path = path, Body = body }} → {response.Status} {response.Body}";
            if (response.Status >= 500) failures.Add(seen);
            if (request.Method == "HEAD" && response.Body.Length > 0) failures.Add("HEAD with a body: " + seen);
            if (response.Status >= 400)
            {
                if (response.ContentType != "application/problem+json") failures.Add($"not a problem ({response.ContentType}): {seen}");
                if (await _api.ScalarAsync("select coalesce(max(seq_id), 0) from claimledger.mt_events") != before)
                    failures.Add("a refusal appended events: " + seen);
            }
        }, iter: Cases, threads: 1);

        output.WriteLine($"{Cases} cases, {sent.Sum()} sent in {clock.Elapsed.TotalSeconds:F0} s; {failures.Count} failures");
        foreach (var (key, count) in statuses) output.WriteLine($"  {count,6} × {key}");
        failures.ShouldBeEmpty(string.Join("\n", failures.Take(30)));
        sent.Sum().ShouldBeGreaterThan(Cases * 8 / 10);
        for (var i = 0; i < Routes.All.Length; i++)
            sent[i].ShouldBeGreaterThan(Cases / Routes.All.Length / 4, $"{Routes.All[i].Method} {Routes.All[i].Path} got few requests");
    }

    private string Fill(string s) => _ids.Aggregate(s, (acc, id) => acc.Replace(id.Key, id.Value));

    [Fact]
    public async Task Injection_strings_are_stored_as_plain_data()
    {
        const string hostile = "'; drop table claimledger.mt_events; -- <script>alert(1)</script> ${jndi:ldap://x}";
        var source = await _api.Source(text: "Texte: " + hostile);
        var r = await _api.Post("/api/claims", new { sourceId = source, quote = hostile, attributedTo = hostile });
        r.Status.ShouldBe(201, r.Body);
        var claim = await _api.Get($"/api/claims/{r.Json.GetProperty("id").GetGuid()}");
        claim.Json.GetProperty("quote").GetString().ShouldBe(hostile);
        claim.Json.GetProperty("attributedTo").GetString().ShouldBe(hostile);
        (await _api.ScalarAsync("select count(*) from claimledger.mt_events")).ShouldBeGreaterThan(0);
        Encoding.UTF8.GetByteCount(claim.Body).ShouldBeGreaterThan(0);
    }
}
