using ClaimLedger.Hosting;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Reliability;
using Microsoft.Extensions.Configuration;
using ClaimLedger.Local;

namespace ClaimLedger.IntegrationTests.Hosting;

/// <summary>How a node starts: ASP.NET's address conventions, a quiet log that says what matters, no start without a key.</summary>
public class NodeStartTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task ASPNETCORE_URLS_chooses_the_address_and_the_log_says_where_which_database_and_what_the_node_runs()
    {
        var port = LocalPostgres.FreePort();
        await using var node = await ApiProcess.StartAsync(Api.ConnectionString, Api.SigningKeyPem, Api.Keys[LedgerApi.Checker],
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" }, port: port);
        (await node.Http.GetAsync("/health/live")).IsSuccessStatusCode.ShouldBeTrue();
        var log = string.Join('\n', node.Output);
        log.ShouldContain($"Now listening on: http://127.0.0.1:{port}");
        log.ShouldContain("Ledger database");
        log.ShouldContain("This node serves HTTP");
        log.ShouldNotContain("for commands");
        log.ShouldNotContain("found no handlers");
    }

    [Fact]
    public async Task The_urls_argument_chooses_the_address()
    {
        var port = LocalPostgres.FreePort();
        await using var node = await ApiProcess.StartAsync(Api.ConnectionString, Api.SigningKeyPem, Api.Keys[LedgerApi.Checker],
            arguments: ["--urls", $"http://127.0.0.1:{port}"], port: port);
        (await node.Http.GetAsync("/health/live")).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Fact]
    public void The_default_address_applies_only_when_nothing_names_one()
    {
        static bool Configured(params (string Key, string Value)[] settings) => NodeStart.AddressConfigured(
            new ConfigurationBuilder()
                .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());
        Configured().ShouldBeFalse();
        Configured(("urls", "http://0.0.0.0:8080")).ShouldBeTrue();
        Configured(("http_ports", "8080")).ShouldBeTrue();
        Configured(("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_configured_database_without_a_signing_key_refuses_to_start_outside_Development()
    {
        var outcome = await Repository.RunAsync("dotnet", [Repository.ApiAssembly], Repository.Root, new Dictionary<string, string>
        {
            ["ConnectionStrings__ClaimLedger"] = Api.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LocalPostgres.FreePort()}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        }, TimeSpan.FromMinutes(2));
        outcome.ExitCode.ShouldBe(1, outcome.StandardOutput + outcome.StandardError);
        outcome.StandardError.ShouldContain("ClaimLedger:Signing:KeyPath");
    }
}
