using System.Text.Json;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Figures;

public class FigurePictureTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private async Task<JsonElement> Picture(Guid figure, string? asOf = null)
    {
        var r = await Api.Get($"/api/figures/{figure}" + (asOf is null ? "" : $"?asOf={Uri.EscapeDataString(asOf)}"));
        r.Status.ShouldBe(200, r.Body);
        return r.Json;
    }

    private static Dictionary<string, (Guid Claim, decimal Amount)> Current(JsonElement picture) =>
        picture.GetProperty("current").EnumerateArray().ToDictionary(
            e => e.GetProperty("attributedTo").GetString()!,
            e => (e.GetProperty("claimId").GetGuid(), e.GetProperty("value").GetProperty("amount").GetDecimal()));

    [Fact]
    public async Task The_picture_has_one_entry_per_originator_its_latest_standing_claim_and_the_range()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var osdh1 = await Api.Claim(source, figure, 242, "OSDH");
        var un = await Api.Claim(source, figure, 200, "ONU");
        var osdh2 = await Api.Claim(source, figure, 260, "osdh ");

        var picture = await Picture(figure);
        var current = Current(picture);
        current.Count.ShouldBe(2);
        current["osdh"].ShouldBe((osdh2, 260m));
        current["ONU"].ShouldBe((un, 200m));
        picture.GetProperty("range").GetProperty("low").GetDecimal().ShouldBe(200);
        picture.GetProperty("range").GetProperty("high").GetDecimal().ShouldBe(260);
        picture.GetProperty("revisionCount").GetInt64().ShouldBe(3);
        picture.TryGetProperty("lastChangedAt", out _).ShouldBeTrue();
        picture.GetProperty("current")[0].GetProperty("status").GetString().ShouldBe("submitted");
        picture.TryGetProperty("originatorKeys", out _).ShouldBeFalse();

        // The latest is retracted: the originator's previous standing claim stands again.
        (await Api.Post($"/api/claims/{osdh2}/retraction", new { reason = "withdrawn" })).Status.ShouldBe(200);
        Current(await Picture(figure))["OSDH"].ShouldBe((osdh1, 242m));

        // Judged false: the originator has no standing claim left.
        (await Api.Post($"/api/claims/{osdh1}/verdict", new { verdict = "false", note = "n" }, LedgerApi.Reviewer)).Status.ShouldBe(200);
        var after = await Picture(figure);
        Current(after).Keys.ShouldBe(["ONU"]);
        after.GetProperty("range").GetProperty("low").GetDecimal().ShouldBe(200);
        after.GetProperty("revisionCount").GetInt64().ShouldBe(5);
    }

    [Fact]
    public async Task A_refuted_claim_leaves_the_picture_and_a_superseding_one_replaces_its_entry()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var first = await Api.Claim(source, figure, 100, "UNHCR");
        var newer = await Api.Claim(source, figure, 150, "UNHCR", supersedes: first);
        Current(await Picture(figure))["UNHCR"].ShouldBe((newer, 150m));

        var dispute = (await Api.Post($"/api/claims/{newer}/disputes", new { reason = "r" }, LedgerApi.OtherChecker)).Json.GetProperty("disputeId").GetGuid();
        Current(await Picture(figure))["UNHCR"].Claim.ShouldBe(newer); // disputed still stands
        (await Api.Post($"/api/claims/{newer}/disputes/{dispute}/resolution", new { outcome = "upheld", note = "n" }, LedgerApi.Reviewer)).Status.ShouldBe(200);
        (await Picture(figure)).GetProperty("current").GetArrayLength().ShouldBe(0); // the superseded one does not come back
    }

    [Fact]
    public async Task A_value_range_uses_low_and_high()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var r = await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "X", figureId = figure, value = new { amount = 250, bound = "approximately", low = 240, high = 260 } });
        r.Status.ShouldBe(201);
        await Api.Claim(source, figure, 300, "Y");
        var range = (await Picture(figure)).GetProperty("range");
        range.GetProperty("low").GetDecimal().ShouldBe(240);
        range.GetProperty("high").GetDecimal().ShouldBe(300);
    }

    [Fact]
    public async Task The_list_shows_each_figure_with_its_range()
    {
        var place = $"list-{Guid.NewGuid():N}";
        var figure = await Api.Figure("displaced", place);
        await Api.Claim(figure: figure, amount: 14000, attributedTo: "ONU");
        var list = await Api.Get($"/api/figures?place={place}");
        var item = list.Json.EnumerateArray().Single();
        item.GetProperty("range").GetProperty("low").GetDecimal().ShouldBe(14000);
        item.GetProperty("revisionCount").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task The_list_is_ordered_by_title_and_shows_each_picture_as_it_is_now()
    {
        var place = $"order-{Guid.NewGuid():N}";
        var later = await Api.Post("/api/figures", new { title = "Zones captured", metric = "localities", unit = "localities", place });
        var earlier = await Api.Post("/api/figures", new { title = "Civilians killed", metric = "deaths", unit = "people", place });
        var (zones, civilians) = (later.Json.GetProperty("id").GetGuid(), earlier.Json.GetProperty("id").GetGuid());
        await Api.Claim(figure: civilians, amount: 24, attributedTo: "OSDH");
        await Api.Claim(figure: civilians, amount: 30, attributedTo: "SOHR");

        var items = (await Api.Get($"/api/figures?place={place}")).Json.EnumerateArray().ToList();
        items.Select(i => i.GetProperty("id").GetGuid()).ShouldBe([civilians, zones]);
        items[0].GetProperty("originators").GetInt32().ShouldBe(2);
        items[0].GetProperty("revisionCount").GetInt64().ShouldBe(2);
        items[0].GetProperty("range").GetProperty("high").GetDecimal().ShouldBe(30);
        items[1].GetProperty("originators").GetInt32().ShouldBe(0);
    }

    /// <summary>How many of the ledger schema's indexes match a condition on pg_indexes.</summary>
    private Task<long> Indexes(string condition) => Api.ScalarAsync(
        $"select count(*) from pg_indexes where schemaname = @schema and {condition}", ("schema", Api.Store.Options.DatabaseSchemaName));

    [Fact]
    public async Task No_index_reads_a_picture_so_every_rewrite_of_it_can_stay_in_place()
    {
        // Every claim event rewrites its figure's picture: an index over the picture's JSON would turn each rewrite into
        // a new row version with new index entries (no HOT update), as the metric index once did.
        (await Indexes("tablename = 'mt_doc_figurepicture' and indexname <> 'pkey_mt_doc_figurepicture_id'")).ShouldBe(0);
    }

    [Fact]
    public async Task Only_claims_with_a_verdict_are_in_the_claims_by_figure_index()
    {
        (await Indexes("indexname = 'mt_doc_claim_idx_figure_id' and indexdef like '%WHERE ((data ->> ''verdict''::text) IS NOT NULL)'")).ShouldBe(1);
    }

    [Fact]
    public async Task A_correction_of_the_originator_moves_the_entry()
    {
        var figure = await Api.Figure();
        var claim = await Api.Claim(figure: figure, attributedTo: "OSDH");
        (await Api.Post($"/api/claims/{claim}/corrections", new { attributedTo = "SOHR", reason = "English name" })).Status.ShouldBe(200);
        Current(await Picture(figure)).Keys.ShouldBe(["SOHR"]);
    }

    [Fact]
    public async Task Bad_as_of_is_400_and_before_the_figure_existed_is_404()
    {
        var figure = await Api.Figure();
        (await Api.Get($"/api/figures/{figure}?asOf=soon")).ProblemField.ShouldBe("asOf");
        (await Api.Get($"/api/figures/{figure}?asOf=2020-01-01")).Status.ShouldBe(404);
        (await Api.Get($"/api/figures/{Guid.NewGuid()}?asOf=2030-01-01")).Status.ShouldBe(404);
    }
}
