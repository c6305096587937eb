using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Web;

/// <summary>Requests at the edges of HTTP and JSON: duplicate members, HEAD, and the names a problem gives its fields.</summary>
public class RequestEdgeTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Theory]
    [InlineData("""{"sourceId":"{source}","quote":"242","quote":"au moins 242 victimes depuis mercredi","attributedTo":"OSDH"}""", "quote")]
    [InlineData("""{"sourceId":"{source}","quote":"242","attributedTo":"OSDH","Quote":"au moins 242 victimes depuis mercredi"}""", "Quote")]
    [InlineData("""{"sourceId":"{source}","quote":"242","attributedTo":"OSDH","figureId":"{figure}","value":{"amount":1,"bound":"exact","amount":242}}""", "value.amount")]
    public async Task A_body_that_gives_a_member_twice_is_a_400_naming_it_and_appends_nothing(string body, string field)
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var originator = $"OSDH {Guid.NewGuid():N}";
        var r = await Api.PostRaw("/api/claims", body.Replace("{source}", source.ToString()).Replace("{figure}", figure.ToString()).Replace("OSDH", originator));
        r.Status.ShouldBe(400, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        r.ProblemField.ShouldBe(field, r.Body);
        r.Json.GetProperty("detail").GetString()!.ShouldContain("more than once");
        (await Api.ScalarAsync("select count(*) from claimledger.mt_doc_claim where data->>'attributedTo' = @originator", ("originator", originator))).ShouldBe(0);
    }

    [Fact]
    public async Task The_errors_of_a_problem_name_each_field_exactly_as_its_field_does()
    {
        var claim = await Api.Claim();
        var problems = new[]
        {
            await Api.Post($"/api/claims/{claim}/verdict", new { verdict = "verified", note = "n" }, LedgerApi.Reviewer,
                new Dictionary<string, string> { ["If-Match"] = "three" }),
            await Api.Get("/api/figures", user: "clk_not_a_key"),
            await Api.PostRaw("/api/sources", "{}", contentType: "text/plain"),
            await Api.PostRaw("/api/claims", """{"sourceId":"00000000-0000-0000-0000-000000000000","quote":"q","attributedTo":"a","Value":{"Amount":"many"}}"""),
        };
        foreach (var problem in problems)
        {
            var field = problem.ProblemField;
            field.ShouldNotBeNull(problem.Body);
            problem.Json.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldContain(field, problem.Body);
        }
        problems.Select(p => p.ProblemField).ShouldBe(["If-Match", "Authorization", "Content-Type", "Value.Amount"]);
    }

    [Theory]
    [InlineData("/api/figures")]
    [InlineData("/api/sources/{source}")]
    [InlineData("/api/claims/{claim}")]
    [InlineData("/api/claims/{claim}/events")]
    [InlineData("/api/figures/{figure}/revisions")]
    [InlineData("/api/figures/{figure}/revisions.csv")]
    [InlineData("/api/audit/checkpoints/latest")]
    [InlineData("/api/export/events")]
    [InlineData("/api/export/claimreview")]
    public async Task HEAD_answers_a_read_route_like_GET_without_a_body(string route)
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var claim = await Api.Claim(source, figure);
        await Api.WaitForProjectionsAsync();
        var path = route.Replace("{source}", source.ToString()).Replace("{figure}", figure.ToString()).Replace("{claim}", claim.ToString());
        var get = await Api.Send(HttpMethod.Get, path, null, LedgerApi.Auditor);
        var head = await Api.Send(HttpMethod.Head, path, null, LedgerApi.Auditor);
        get.Status.ShouldBe(200, get.Body);
        head.Status.ShouldBe(200, head.Body);
        head.Body.ShouldBeEmpty();
        head.ContentType.ShouldBe(get.ContentType);
        head.ETag.ShouldBe(get.ETag);
    }

    [Fact]
    public async Task HEAD_refusals_are_the_same_as_GET_without_a_body()
    {
        var unknown = await Api.Send(HttpMethod.Head, $"/api/claims/{Guid.NewGuid()}", null, LedgerApi.Checker);
        unknown.Status.ShouldBe(404);
        unknown.Body.ShouldBeEmpty();
        (await Api.Send(HttpMethod.Head, "/api/figures", null, null)).Status.ShouldBe(401);
        (await Api.Send(HttpMethod.Head, "/api/export/events", null, LedgerApi.Checker)).Status.ShouldBe(403);
        var noGet = await Api.Send(HttpMethod.Head, $"/api/claims/{Guid.NewGuid()}/evidence", null, LedgerApi.Checker);
        noGet.Status.ShouldBe(405, "there is no GET on /api/claims/{id}/evidence");
        noGet.Body.ShouldBeEmpty();
        noGet.ContentType.ShouldBe("application/problem+json");
        var noRoute = await Api.Send(HttpMethod.Head, "/api/nothing-here", null, LedgerApi.Checker);
        noRoute.Status.ShouldBe(404);
        noRoute.Body.ShouldBeEmpty();
    }
}
