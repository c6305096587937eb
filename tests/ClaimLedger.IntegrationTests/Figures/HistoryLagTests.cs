using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Figures;

/// <summary>
/// The revision history is kept by the daemon and trails the picture. A node alone that may not lead runs no daemon,
/// so its history never catches up: what a reader gets while the history is behind.
/// </summary>
public class HistoryLagTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("history-lag", new Dictionary<string, string>
    {
        ["ClaimLedger:Nodes:CanLead"] = "false",
        ["ClaimLedger:History:WaitMilliseconds"] = "300",
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task History_reads_answer_503_with_Retry_After_while_the_picture_answers_at_once()
    {
        var source = await _api.Source();
        var figure = await _api.Figure();
        await _api.Claim(source, figure, 242, "OSDH");

        var picture = await _api.Get($"/api/figures/{figure}");
        picture.Status.ShouldBe(200, picture.Body);
        picture.Json.GetProperty("revisionCount").GetInt64().ShouldBe(1);
        picture.Json.GetProperty("current").GetArrayLength().ShouldBe(1);

        foreach (var path in new[]
                 {
                     $"/api/figures/{figure}/revisions", $"/api/figures/{figure}/revisions.csv",
                     $"/api/figures/{figure}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}",
                 })
        {
            var behind = await _api.Get(path);
            behind.Status.ShouldBe(503, $"{path}: {behind.Body}");
            behind.ContentType.ShouldBe("application/problem+json");
            behind.Headers.RetryAfter.ShouldNotBeNull(path);
            behind.Json.GetProperty("detail").GetString()!.ShouldContain("revision history");
        }
    }

    [Fact]
    public async Task A_figure_without_revisions_has_an_empty_history_at_once()
    {
        var figure = await _api.Figure();
        var page = await _api.Get($"/api/figures/{figure}/revisions");
        page.Status.ShouldBe(200, page.Body);
        page.Json.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task When_a_node_that_may_lead_joins_it_runs_the_history_and_the_first_node_serves_it()
    {
        var source = await _api.Source();
        var figure = await _api.Figure();
        var claim = await _api.Claim(source, figure, 242, "OSDH");
        (await _api.Get($"/api/figures/{figure}/revisions")).Status.ShouldBe(503);

        await using var leader = await LedgerApi.RestartAsync(_api);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ApiResponse page;
        do page = await _api.Get($"/api/figures/{figure}/revisions");
        while (page.Status == 503 && DateTime.UtcNow < deadline);
        page.Status.ShouldBe(200, page.Body);
        var item = page.Json.GetProperty("items").EnumerateArray().Single();
        item.GetProperty("claimId").GetGuid().ShouldBe(claim);
        item.GetProperty("change").GetString().ShouldBe("claim_added");
    }
}
