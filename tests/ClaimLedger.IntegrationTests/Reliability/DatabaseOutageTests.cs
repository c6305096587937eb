using ClaimLedger.IntegrationTests.Support;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>PostgreSQL goes away under the API and comes back: 503 with Retry-After meanwhile, never a 500, then it recovers by itself.</summary>
public class DatabaseOutageTests : IAsyncLifetime
{
    private TcpProxy _proxy = null!;
    private LedgerApi _api = null!;

    public async Task InitializeAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await TestDatabase.CreateAsync("outage"));
        _proxy = new TcpProxy(direct.Host!, direct.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _proxy.Port, Timeout = 3, CommandTimeout = 5 };
        _api = await LedgerApi.StartOnDatabaseAsync(viaProxy.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task While_PostgreSQL_is_away_the_API_answers_503_with_Retry_After_and_then_recovers()
    {
        var source = await _api.Source();
        (await _api.Get("/api/figures")).Status.ShouldBe(200);

        _proxy.Stop();
        var responses = new List<ApiResponse>
        {
            await _api.Get("/api/figures"),
            await _api.Get($"/api/sources/{source}"),
            await _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" }),
            await _api.Post("/api/figures", new { title = "t", metric = "deaths", unit = "people" }),
        };
        foreach (var r in responses)
        {
            r.Status.ShouldBe(503, r.Body);
            r.ContentType.ShouldBe("application/problem+json");
            r.Headers.RetryAfter.ShouldNotBeNull();
        }
        (await _api.Get("/health/ready", user: null)).Status.ShouldBe(503);
        (await _api.Get("/health/live", user: null)).Status.ShouldBe(200);

        _proxy.Start();
        var recovered = false;
        for (var i = 0; i < 50 && !recovered; i++)
        {
            var r = await _api.Get("/api/figures");
            r.Status.ShouldBeOneOf(200, 503);
            recovered = r.Status == 200;
            if (!recovered) await Task.Delay(200);
        }
        recovered.ShouldBeTrue();
        (await _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH" })).Status.ShouldBe(201);
    }
}
