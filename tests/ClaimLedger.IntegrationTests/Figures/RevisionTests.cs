using System.Text.Json;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Figures;

public class RevisionTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task Every_change_to_every_claim_on_the_figure_oldest_first_with_its_provenance()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var claim = await Api.Claim(source, figure, 242, "OSDH");
        await Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, stance = "supports", note = "seen" });
        await Api.Post($"/api/claims/{claim}/corrections", new { value = new { amount = 250, bound = "at_least" }, reason = "recount" });
        var dispute = (await Api.Post($"/api/claims/{claim}/disputes", new { reason = "doubt" }, LedgerApi.OtherChecker)).Json.GetProperty("disputeId").GetGuid();
        await Api.Post($"/api/claims/{claim}/disputes/{dispute}/resolution", new { outcome = "rejected", note = "fine" }, LedgerApi.Reviewer);
        await Api.Post($"/api/claims/{claim}/verdict", new { verdict = "verified", note = "confirmed" }, LedgerApi.Reviewer);
        var newer = await Api.Claim(source, figure, 300, "OSDH", supersedes: claim);
        await Api.Post($"/api/claims/{newer}/retraction", new { reason = "withdrawn" });

        var page = await Api.Get($"/api/figures/{figure}/revisions");
        page.Status.ShouldBe(200, page.Body);
        var items = page.Json.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("change").GetString()).ShouldBe([
            "claim_added", "evidence_attached", "value_corrected", "disputed", "dispute_resolved", "verdict", "superseded", "claim_added", "retracted"]);
        items.Select(i => i.GetProperty("revision").GetInt64()).ShouldBe([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        page.Json.TryGetProperty("next", out var next).ShouldBeTrue();
        next.ValueKind.ShouldBe(JsonValueKind.Null);

        var corrected = items[2];
        corrected.GetProperty("previousValue").GetProperty("amount").GetDecimal().ShouldBe(242);
        corrected.GetProperty("value").GetProperty("amount").GetDecimal().ShouldBe(250);
        corrected.GetProperty("reason").GetString().ShouldBe("recount");
        corrected.GetProperty("actor").GetString().ShouldBe(LedgerApi.Checker);
        corrected.GetProperty("sourceId").GetGuid().ShouldBe(source);
        corrected.GetProperty("claimId").GetGuid().ShouldBe(claim);
        corrected.GetProperty("attributedTo").GetString().ShouldBe("OSDH");
        items[0].TryGetProperty("previousValue", out _).ShouldBeFalse();
        items[3].GetProperty("status").GetString().ShouldBe("disputed");
        items[3].GetProperty("actor").GetString().ShouldBe(LedgerApi.OtherChecker);
        items[5].GetProperty("status").GetString().ShouldBe("verified");
        items[5].GetProperty("reason").GetString().ShouldBe("confirmed");
        items[8].GetProperty("status").GetString().ShouldBe("retracted");
        items.Select(i => DateTimeOffset.Parse(i.GetProperty("recordedAt").GetString()!)).ShouldBeInOrder();
    }

    [Fact]
    public async Task Pages_follow_an_opaque_cursor_to_the_end()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        for (var i = 0; i < 7; i++) await Api.Claim(source, figure, 100 + i, $"originator {i % 3}");
        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var r = await Api.Get($"/api/figures/{figure}/revisions?limit=3" + (cursor is null ? "" : $"&after={cursor}"));
            r.Status.ShouldBe(200, r.Body);
            seen.AddRange(r.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("revision").GetInt64()));
            cursor = r.Json.GetProperty("next").GetString();
            pages++;
        } while (cursor != null);
        seen.ShouldBe([1, 2, 3, 4, 5, 6, 7]);
        pages.ShouldBe(3);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("after=", "after")]
    public async Task Bad_paging_parameters_are_400(string query, string field)
    {
        var figure = await Api.Figure();
        var r = await Api.Get($"/api/figures/{figure}/revisions?{query}");
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task A_cursor_of_another_figure_is_refused_and_an_unknown_figure_is_404()
    {
        var a = await Api.Figure();
        var b = await Api.Figure();
        for (var i = 0; i < 3; i++) await Api.Claim(figure: a, attributedTo: $"o{i}");
        var cursor = (await Api.Get($"/api/figures/{a}/revisions?limit=1")).Json.GetProperty("next").GetString();
        (await Api.Get($"/api/figures/{b}/revisions?after={cursor}")).Status.ShouldBe(400);
        (await Api.Get($"/api/figures/{Guid.NewGuid()}/revisions")).Status.ShouldBe(404);
    }
}
