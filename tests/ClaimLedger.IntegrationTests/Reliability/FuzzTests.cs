using System.Text;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.IntegrationTests.Audit;
using CsCheck;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>
/// Property-based fuzzing of bodies, headers, route ids and query strings on every route: no 5xx, every refusal a
/// problem document, and nothing appended on a refusal.
/// </summary>
public class FuzzTests : IAsyncLifetime
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

    private static readonly string[] Hostile =
    [
        "", " ", "\t\n", "x", "242", "-1", "1e400", "NaN", "null", "true", "\u0000", "\ud800", "\udc00x", "😀", "\u202e\u202d", "%00", "../../etc/passwd",
        "'; drop table claimledger.mt_events; --", "\" or 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}",
        new string('a', 5000), "00000000-0000-0000-0000-000000000000", "2024-11-29", "2024-11-29T10:00:00", "at_least", "verified", "upheld",
        "supports", "OSDH", "au moins 242 victimes depuis mercredi",
    ];

    private static readonly string[] Fields =
    [
        "title", "outlet", "url", "language", "publishedAt", "text", "metric", "unit", "place", "topic", "sourceId", "quote", "attributedTo",
        "figureId", "value", "validFrom", "validTo", "supersedes", "stance", "note", "reason", "outcome", "verdict", "amount", "bound", "low", "high", "zz",
    ];

    private static Gen<string> JsonValue(int depth) =>
        depth == 0
            ? Gen.OneOf(
                Gen.OneOf<string>(Hostile).Select(s => System.Text.Json.JsonSerializer.Serialize(s)),
                Gen.OneOf<string>("0", "1", "-1", "1e308", "1e400", "3.14", "99999999999999999999999999999", "true", "false", "null", "\"\\ud800\"", "\"\\u0000\""),
                Gen.OneOf<string>("{source}", "{figure}", "{claim}", "{dispute}").Select(id => $"\"{id}\""))
            : Gen.OneOf(
                JsonValue(0),
                JsonValue(depth - 1).Array[0, 3].Select(items => "[" + string.Join(",", items) + "]"),
                Gen.Select(Gen.OneOf<string>(Fields), JsonValue(depth - 1)).Array[0, 6]
                    .Select(pairs => "{" + string.Join(",", pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}"));

    private static readonly Gen<string> Body = Gen.Frequency(
        (6, JsonValue(2)),
        (1, Gen.OneOf<string>(Hostile)),
        (1, Gen.String[0, 200]));

    private static readonly Gen<string> PathId = Gen.Frequency(
        (8, Gen.OneOf<string>("{source}", "{figure}", "{claim}", "{dispute}")),
        (1, Gen.OneOf<string>("00000000-0000-0000-0000-000000000000", "not-a-guid", "%2e%2e", "'--", new string('9', 300))),
        (1, Gen.Guid.Select(g => g.ToString())));

    private static readonly Gen<(string Name, string Value)?> Header = Gen.Frequency(
        (4, Gen.Const<(string, string)?>(((string, string)?)null)),
        (1, Gen.Select(Gen.OneOf<string>("If-Match", "Idempotency-Key", "Content-Type", "Accept"), Gen.OneOf<string>(Hostile.Where(h => h.All(c => c is >= ' ' and < '\u007f')).ToArray()))
            .Select(t => ((string, string)?)(t.Item1, t.Item2))));

    private static readonly Gen<string> Query = Gen.Frequency(
        (3, Gen.Const<string>("")),
        (2, Gen.Select(Gen.OneOf<string>("asOf", "version", "after", "limit", "from", "to", "leafIndex", "treeSize", "metric", "place", "figureId"),
                Gen.OneOf<string>(Hostile.Select(Uri.EscapeDataString).ToArray()))
            .Array[1, 3].Select(q => "?" + string.Join("&", q.Select(p => $"{p.Item1}={p.Item2}")))));

    private static readonly Gen<string> User = Gen.OneOf<string>(LedgerApi.Checker, LedgerApi.Reviewer, LedgerApi.OtherReviewer, LedgerApi.Auditor);

    [Fact]
    public async Task Thousands_of_hostile_requests_get_no_5xx_a_problem_for_every_refusal_and_append_nothing_when_refused()
    {
        var cases = 0;
        var gen = Gen.Select(Gen.Int[0, Routes.All.Length - 1], Body, PathId, Header, Query, User);
        await gen.SampleAsync(async (routeIndex, body, pathId, header, query, user) =>
        {
            var route = Routes.All[routeIndex];
            var path = route.Path.Split('?')[0];
            foreach (var placeholder in new[] { "{source}", "{figure}", "{claim}", "{dispute}" })
                path = path.Replace(placeholder, placeholder == "{dispute}" ? _ids[placeholder] : Fill(pathId));
            var text = route.Method == "POST" ? Fill(body) : null;
            var headers = header is { } h ? new Dictionary<string, string> { [h.Name] = h.Value } : null;
            var before = await _api.ScalarAsync("select coalesce(max(seq_id), 0) from claimledger.mt_events");

            ApiResponse response;
            try { response = await _api.Send(new HttpMethod(route.Method), path + query, text, user, headers); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or UriFormatException) { return; } // the client refused to send it
            Interlocked.Increment(ref cases);

            (response.Status < 500).ShouldBeTrue($"{route.Method} {path}{query} {text} → {response.Status} {response.Body}");
            if (response.Status >= 400)
            {
                response.ContentType.ShouldBe("application/problem+json", $"{route.Method} {path}{query} → {response.Status}");
                (await _api.ScalarAsync("select coalesce(max(seq_id), 0) from claimledger.mt_events")).ShouldBe(before,
                    $"a refusal appended events: {route.Method} {path} {text} → {response.Status}");
            }
        }, iter: 2500, threads: 1);
        cases.ShouldBeGreaterThan(2000);
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
