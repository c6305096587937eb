using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Access;

public class RateLimitTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("ratelimit",
        new Dictionary<string, string> { ["ClaimLedger:RateLimit:PerSecond"] = "5", ["ClaimLedger:RateLimit:Burst"] = "5" });
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_key_past_its_limit_gets_429_with_Retry_After_and_other_keys_are_not_affected()
    {
        var responses = new List<ApiResponse>();
        for (var i = 0; i < 12; i++) responses.Add(await _api.Get("/api/figures"));
        responses.Count(r => r.Status == 200).ShouldBeGreaterThanOrEqualTo(5);
        responses.Count(r => r.Status == 429).ShouldBeGreaterThan(0);
        var limited = responses.First(r => r.Status == 429);
        limited.ContentType.ShouldBe("application/problem+json");
        int.Parse(limited.Headers.RetryAfter!.ToString()).ShouldBeGreaterThanOrEqualTo(1);
        (await _api.Get("/api/figures", LedgerApi.Reviewer)).Status.ShouldBe(200);
        await Task.Delay(1200);
        (await _api.Get("/api/figures")).Status.ShouldBe(200);
    }
}
