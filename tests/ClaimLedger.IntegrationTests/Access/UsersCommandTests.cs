using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Access;

public class UsersCommandTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private Task<Repository.Outcome> Users(params string[] args) =>
        Repository.RunAsync("dotnet", [Repository.ApiAssembly, "users", .. args], Repository.Root,
            new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = Api.ConnectionString });

    [Fact]
    public async Task Users_add_prints_a_key_alone_on_its_last_line_and_the_key_works_for_its_role()
    {
        var name = $"cli-{Guid.NewGuid():N}"[..12];
        var outcome = await Users("add", name, "--role", "auditor");
        outcome.ExitCode.ShouldBe(0, outcome.StandardOutput + outcome.StandardError);
        var key = outcome.StandardOutput.TrimEnd().Split('\n').Last().Trim();
        key.ShouldStartWith("clk_");
        key.ShouldNotContain(" ");

        (await Api.Get("/api/sources", user: key)).Status.ShouldBe(200);
        (await Api.Post("/api/sources", new { title = "t" }, user: key)).Status.ShouldBe(403);
    }

    [Fact]
    public async Task Users_add_refuses_an_unknown_role()
    {
        var outcome = await Users("add", "someone", "--role", "editor");
        outcome.ExitCode.ShouldNotBe(0);
        outcome.StandardError.ShouldContain("unknown role");
    }
}
