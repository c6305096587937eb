using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Figures;

/// <summary>Answers recorded during a history equal what later as-of queries say of those moments.</summary>
public class TimeTravelTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static string WithoutAsOf(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("asOf");
        return node.ToJsonString();
    }

    [Fact]
    public async Task As_of_answers_are_exactly_what_the_ledger_said_then()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var random = new Random(20241129);
        var claims = new List<Guid>();
        var figureAnswers = new List<(string At, string Body)>();
        var claimAnswers = new List<(Guid Claim, string At, long Version, string Body)>();

        for (var step = 0; step < 40; step++)
        {
            var writes = claims.Count < 3 ? 0 : random.Next(5);
            Guid touched;
            if (writes == 0 || claims.Count < 3)
            {
                touched = await Api.Claim(source, figure, random.Next(100, 400), $"originator {random.Next(4)}");
                claims.Add(touched);
            }
            else
            {
                touched = claims[random.Next(claims.Count)];
                var path = $"/api/claims/{touched}";
                _ = writes switch
                {
                    1 => await Api.Post($"{path}/evidence", new { sourceId = source, stance = "supports", note = $"step {step}" }),
                    2 => await Api.Post($"{path}/verdict", new { verdict = random.Next(2) == 0 ? "verified" : "false", note = $"step {step}" }, LedgerApi.Reviewer),
                    3 => await Api.Post($"{path}/corrections", new { value = new { amount = random.Next(100, 400), bound = "at_least" }, reason = $"step {step}" }),
                    _ => await Api.Post($"{path}/retraction", new { reason = $"step {step}" }),
                };
            }
            var picture = await Api.Get($"/api/figures/{figure}");
            figureAnswers.Add((picture.Json.GetProperty("lastChangedAt").GetString()!, picture.Body));
            var claim = await Api.Get($"/api/claims/{touched}");
            claimAnswers.Add((touched, claim.Json.GetProperty("lastChangedAt").GetString()!, claim.Json.GetProperty("version").GetInt64(), claim.Body));
        }

        foreach (var (at, body) in figureAnswers)
        {
            var then = await Api.Get($"/api/figures/{figure}?asOf={Uri.EscapeDataString(at)}");
            then.Status.ShouldBe(200);
            then.Json.GetProperty("asOf").GetString().ShouldNotBeNull();
            WithoutAsOf(then.Body).ShouldBe(WithoutAsOf(body), $"figure as of {at}");
        }
        foreach (var (claim, at, version, body) in claimAnswers)
        {
            (await Api.Get($"/api/claims/{claim}?asOf={Uri.EscapeDataString(at)}")).Body.ShouldBe(body, $"claim as of {at}");
            (await Api.Get($"/api/claims/{claim}?version={version}")).Body.ShouldBe(body, $"claim at version {version}");
        }
    }
}
