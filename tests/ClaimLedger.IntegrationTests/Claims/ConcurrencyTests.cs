using ClaimLedger.IntegrationTests.Support;
using Marten;

namespace ClaimLedger.IntegrationTests.Claims;

public class ConcurrencyTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task A_stale_If_Match_gets_412_with_the_current_version_and_appends_nothing()
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var headers = new Dictionary<string, string> { ["If-Match"] = "\"1\"" };
        var first = await Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, stance = "supports", note = "a" }, headers: headers);
        first.Status.ShouldBe(200, first.Body);
        var stale = await Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, stance = "supports", note = "b" }, headers: headers);
        stale.Status.ShouldBe(412);
        stale.ContentType.ShouldBe("application/problem+json");
        stale.Json.GetProperty("currentVersion").GetInt64().ShouldBe(2);
        stale.ProblemField.ShouldBe("If-Match");
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(2);

        var current = await Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, stance = "supports", note = "c" },
            headers: new Dictionary<string, string> { ["If-Match"] = first.ETag! });
        current.Status.ShouldBe(200);
    }

    /// <summary>RFC 9110 §13.1.1 on a claim at version 1: a list matches when one strong tag does; weak tags never match.</summary>
    [Theory]
    [InlineData("*", 200)]
    [InlineData("\"1\"", 200)]
    [InlineData("\"1\", \"2\"", 200)]
    [InlineData("\"2\",\"1\"", 200)]
    [InlineData(" , \"1\" ,", 200)]
    [InlineData("\"5\", \"6\"", 412)]
    [InlineData("W/\"1\"", 412)]
    [InlineData("\"0\"", 412)]
    [InlineData("\"-1\"", 412)]
    [InlineData("\"abc\"", 412)]
    [InlineData("\"01\"", 412)]
    [InlineData("\"999\"", 412)]
    [InlineData("1", 400)]
    [InlineData("\"\"1\"\"", 400)]
    [InlineData("\"1", 400)]
    [InlineData("3x", 400)]
    [InlineData("*, \"1\"", 400)]
    [InlineData("\"1\" \"2\"", 400)]
    public async Task If_Match_follows_RFC_9110(string ifMatch, int status)
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var r = await Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, stance = "supports", note = "n" },
            headers: new Dictionary<string, string> { ["If-Match"] = ifMatch });
        r.Status.ShouldBe(status, r.Body);
        var events = (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength();
        events.ShouldBe(status == 200 ? 2 : 1);
        if (status == 200) return;
        r.ProblemField.ShouldBe("If-Match");
        if (status == 412) r.Json.GetProperty("currentVersion").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_concurrent_writers_on_one_claim_get_no_500_and_lose_no_update()
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var notes = Enumerable.Range(0, 50).Select(i => $"writer {i}").ToList();
        var responses = await Task.WhenAll(notes.Select(note =>
            Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, stance = "supports", note })));

        responses.ShouldAllBe(r => r.Status == 200);
        responses.Select(r => r.Json.GetProperty("version").GetInt64()).Order().ShouldBe(Enumerable.Range(2, 50).Select(v => (long)v));

        var events = (await Api.Get($"/api/claims/{claim}/events")).Json.EnumerateArray().ToList();
        events.Count.ShouldBe(51);
        events.Skip(1).Select(e => e.GetProperty("data").GetProperty("note").GetString()).ShouldBe(notes, ignoreOrder: true);
        (await Api.Get($"/api/claims/{claim}")).Json.GetProperty("evidenceCount").GetInt32().ShouldBe(50);
    }

    [Fact]
    public async Task Concurrent_newer_counts_supersede_a_claim_once()
    {
        var figure = await Api.Figure();
        var source = await Api.Source();
        var older = await Api.Claim(source, figure);
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Api.Post("/api/claims", new
        {
            sourceId = source, quote = "242 victimes", attributedTo = "OSDH", figureId = figure,
            value = new { amount = 300 + i, bound = "at_least" }, supersedes = older,
        })));
        responses.Count(r => r.Status == 201).ShouldBe(1);
        responses.Count(r => r.Status == 409).ShouldBe(9);
        (await Api.Get($"/api/claims/{older}/events")).Json.GetArrayLength().ShouldBe(2);
    }
}
