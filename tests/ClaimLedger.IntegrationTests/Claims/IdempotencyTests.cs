using ClaimLedger.IntegrationTests.Support;
using Marten;

namespace ClaimLedger.IntegrationTests.Claims;

public class IdempotencyTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static Dictionary<string, string> Key(string key) => new() { ["Idempotency-Key"] = key };

    /// <summary>Events naming this originator: other tests append to the shared database meanwhile.</summary>
    private async Task<long> EventCount(string attributedTo)
    {
        await using var session = Api.Store.QuerySession();
        return (await session.QueryAsync<long>(
            "select count(*) from claimledger.mt_events where data->>'attributedTo' = ?", attributedTo)).Single();
    }

    [Fact]
    public async Task A_repeated_submission_returns_the_first_response_and_appends_nothing()
    {
        var source = await Api.Source();
        var key = Key(Guid.NewGuid().ToString());
        var originator = $"OSDH {Guid.NewGuid():N}";
        var body = new { sourceId = source, quote = "242 victimes", attributedTo = originator };
        var first = await Api.Post("/api/claims", body, headers: key);
        first.Status.ShouldBe(201);
        (await EventCount(originator)).ShouldBe(1);
        var repeat = await Api.Post("/api/claims", body, headers: key);
        repeat.Status.ShouldBe(201);
        repeat.Body.ShouldBe(first.Body);
        repeat.Headers.Location.ShouldBe(first.Headers.Location);
        repeat.ETag.ShouldBe(first.ETag);
        (await EventCount(originator)).ShouldBe(1);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var source = await Api.Source();
        var key = Key(Guid.NewGuid().ToString());
        (await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" }, headers: key)).Status.ShouldBe(201);
        var other = await Api.Post("/api/claims", new { sourceId = source, quote = "24 civils", attributedTo = "OSDH" }, headers: key);
        other.Status.ShouldBe(422);
        other.ProblemField.ShouldBe("Idempotency-Key");
    }

    [Fact]
    public async Task Keys_hold_on_lifecycle_writes_and_concurrent_repeats_commit_once()
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var key = Key(Guid.NewGuid().ToString());
        var body = new { sourceId = source, stance = "contradicts", note = "n" };
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Api.Post($"/api/claims/{claim}/evidence", body, headers: key)));
        responses.ShouldAllBe(r => r.Status == 200);
        responses.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task A_key_is_scoped_to_its_user()
    {
        var source = await Api.Source();
        var key = Key(Guid.NewGuid().ToString());
        var body = new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" };
        var mine = await Api.Post("/api/claims", body, headers: key);
        var theirs = await Api.Post("/api/claims", body, LedgerApi.OtherChecker, headers: key);
        theirs.Status.ShouldBe(201);
        theirs.Json.GetProperty("id").GetGuid().ShouldNotBe(mine.Json.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_refusal_is_not_remembered()
    {
        var key = Key(Guid.NewGuid().ToString());
        var source = await Api.Source();
        var body = new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH", figureId = Guid.NewGuid(), value = new { amount = 1, bound = "exact" } };
        (await Api.Post("/api/claims", body, headers: key)).Status.ShouldBe(422);
        (await Api.Post("/api/claims", body, headers: key)).Status.ShouldBe(422);
    }

    [Fact]
    public async Task A_malformed_key_is_400()
    {
        var r = await Api.Post("/api/figures", new { title = "t", metric = "deaths", unit = "people" }, headers: Key(new string('k', 300)));
        r.Status.ShouldBe(400);
        r.ProblemField.ShouldBe("Idempotency-Key");
    }

    [Fact]
    public async Task Keys_survive_a_restart_because_they_live_in_PostgreSQL()
    {
        var source = await Api.Source();
        var key = Key(Guid.NewGuid().ToString());
        var body = new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" };
        var first = await Api.Post("/api/claims", body, headers: key);

        await using var restarted = await LedgerApi.RestartAsync(Api);
        var repeat = await restarted.Post("/api/claims", body, headers: key);
        repeat.Status.ShouldBe(201);
        repeat.Body.ShouldBe(first.Body);
    }

    [Fact]
    public async Task The_same_key_answers_the_first_response_however_the_route_is_spelled()
    {
        var key = Key(Guid.NewGuid().ToString());
        var title = $"Deaths {Guid.NewGuid():N}";
        var body = new { title, metric = "deaths", unit = "people" };
        var responses = new List<ApiResponse>();
        foreach (var path in new[] { "/api/figures", "/API/FIGURES", "/api/Figures", "/api/figures/" })
            responses.Add(await Api.Post(path, body, headers: key));
        responses.ShouldAllBe(r => r.Status == 201);
        responses.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        await using var session = Api.Store.QuerySession();
        (await session.QueryAsync<long>("select count(*) from claimledger.mt_events where data->>'title' = ?", title)).Single().ShouldBe(1);

        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var evidenceKey = Key(Guid.NewGuid().ToString());
        var evidence = new { sourceId = source, stance = "supports", note = "n" };
        var answers = new List<ApiResponse>();
        foreach (var id in new[] { claim.ToString(), claim.ToString().ToUpperInvariant(), claim.ToString("B"), claim.ToString("N") })
            answers.Add(await Api.Post($"/api/claims/{id}/evidence", evidence, headers: evidenceKey));
        answers.ShouldAllBe(r => r.Status == 200);
        answers.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task A_key_repeated_on_another_route_is_422()
    {
        var key = Key(Guid.NewGuid().ToString());
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var other = await Api.Claim(source);
        var body = new { sourceId = source, stance = "supports", note = "n" };
        (await Api.Post($"/api/claims/{claim}/evidence", body, headers: key)).Status.ShouldBe(200);
        var elsewhere = await Api.Post($"/api/claims/{other}/evidence", body, headers: key);
        elsewhere.Status.ShouldBe(422);
        elsewhere.ProblemField.ShouldBe("Idempotency-Key");
        var otherRoute = await Api.Post($"/api/claims/{claim}/disputes", new { reason = "r" }, headers: key);
        otherRoute.Status.ShouldBe(422);
        (await Api.Get($"/api/claims/{other}/events")).Json.GetArrayLength().ShouldBe(1);
    }

    /// <summary>
    /// Racing repeats of one key wait for the first and answer as it did, even where the first's write makes a second
    /// impossible (a claim holds one open dispute at a time).
    /// </summary>
    [Fact]
    public async Task Racing_repeats_of_a_dispute_all_get_the_first_response()
    {
        var claim = await Api.Claim();
        var key = Key(Guid.NewGuid().ToString());
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Api.Post($"/api/claims/{claim}/disputes", new { reason = "the count is unsourced" }, LedgerApi.OtherChecker, headers: key)));
        responses.ShouldAllBe(r => r.Status == 201, string.Join("\n", responses.Select(r => r.ToString())));
        responses.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(2);
    }
}
