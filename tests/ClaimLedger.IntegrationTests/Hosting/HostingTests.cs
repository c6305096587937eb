using ClaimLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClaimLedger.IntegrationTests.Hosting;

public class HostingTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task Health_is_open_and_ready_checks_PostgreSQL()
    {
        (await Api.Get("/health/live", user: null)).Status.ShouldBe(200);
        var ready = await Api.Get("/health/ready", user: null);
        ready.Status.ShouldBe(200);
        ready.Body.ShouldBe("Healthy");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_and_the_reference_page_is_served()
    {
        var doc = await Api.Get("/openapi/v1.json", user: null);
        doc.Status.ShouldBe(200);
        var paths = doc.Json.GetProperty("paths");
        foreach (var path in new[] { "/api/sources", "/api/sources/{id}", "/api/figures", "/api/figures/{id}", "/api/claims", "/api/claims/{id}", "/api/claims/{id}/events" })
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        paths.GetProperty("/api/claims").GetProperty("post").TryGetProperty("requestBody", out _).ShouldBeTrue();
        var page = await Api.Get("/docs/v1", user: null);
        page.Status.ShouldBe(200);
        page.ContentType.ShouldBe("text/html");
    }

    /// <summary>Kestrel runs a request on the thread that read it unless configured not to.</summary>
    [Fact]
    public async Task Requests_run_on_the_thread_that_read_them_unless_configured_otherwise()
    {
        static bool Inline(LedgerApi api) => api.Host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling;
        Inline(Api).ShouldBeTrue();
        await using var handedOff = await LedgerApi.StartAsync("handed-off", new Dictionary<string, string> { ["ClaimLedger:Http:InlineScheduling"] = "false" });
        Inline(handedOff).ShouldBeFalse();
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var r = await Api.Get("/api/nothing-here");
        r.Status.ShouldBe(404);
        r.ContentType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        var r = await Api.Send(HttpMethod.Delete, "/api/sources", null, LedgerApi.Checker);
        r.Status.ShouldBe(405);
        r.ContentType.ShouldBe("application/problem+json");
    }
}
