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

/// <summary>Requests without a valid key are limited per client address, and so are the key lookups they cause.</summary>
public class AnonymousRateLimitTests : IAsyncLifetime
{
    private TcpProxy _proxy = null!;
    private LedgerApi _api = null!;

    public async Task InitializeAsync()
    {
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(await TestDatabase.CreateAsync("anonymouslimit"));
        _proxy = new TcpProxy(direct.Host!, direct.Port);
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _proxy.Port, Timeout = 3, CommandTimeout = 5 };
        _api = await LedgerApi.StartOnDatabaseAsync(viaProxy.ConnectionString,
            new Dictionary<string, string> { ["ClaimLedger:RateLimit:AnonymousPerSecond"] = "1", ["ClaimLedger:RateLimit:AnonymousBurst"] = "5" });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task Requests_without_a_key_past_the_address_limit_get_429_with_Retry_After_and_keys_are_not_affected()
    {
        var responses = new List<ApiResponse>();
        for (var i = 0; i < 12; i++) responses.Add(await _api.Get("/api/figures", user: null));
        responses.Count(r => r.Status == 401).ShouldBeLessThanOrEqualTo(6);
        var limited = responses.Where(r => r.Status == 429).ToList();
        limited.Count.ShouldBeGreaterThanOrEqualTo(6);
        limited[0].ContentType.ShouldBe("application/problem+json");
        limited[0].ProblemField.ShouldBe("Authorization");
        int.Parse(limited[0].Headers.RetryAfter!.ToString()).ShouldBeGreaterThanOrEqualTo(1);
        (await _api.Get("/api/figures")).Status.ShouldBe(200, "a valid key has a bucket of its own");
    }

    [Fact]
    public async Task Made_up_keys_past_the_address_limit_are_refused_before_any_database_lookup()
    {
        (await _api.Get("/api/figures")).Status.ShouldBe(200);
        // With the database away, a key that is looked up fails with 503: a 429 means no lookup was tried.
        _proxy.Stop();
        try
        {
            var responses = new List<ApiResponse>();
            for (var i = 0; i < 12; i++) responses.Add(await _api.Get("/api/figures", user: $"clk_made_up_{Guid.NewGuid():N}"));
            responses.Count(r => r.Status == 503).ShouldBeLessThanOrEqualTo(6, string.Join("; ", responses.Select(r => r.Status)));
            responses.Count(r => r.Status == 429).ShouldBeGreaterThanOrEqualTo(6, string.Join("; ", responses.Select(r => r.Status)));
            var limited = responses.First(r => r.Status == 429);
            limited.ContentType.ShouldBe("application/problem+json");
            limited.ProblemField.ShouldBe("Authorization");
            limited.Headers.RetryAfter.ShouldNotBeNull();
        }
        finally { _proxy.Start(); }
    }
}
