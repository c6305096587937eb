using System.Text.Json;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary><c>GET /api/claims</c>: filters, a search ignoring case and accents, keyset pages, each refusal.</summary>
public class SearchTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private const string Text =
        "Selon l’Observatoire syrien, l’Armée syrienne a quitté Alep. Les combats autour d’Aleppo ont provoqué le départ de plus de " +
        "14 000 personnes. Une œuvre naïve a brûlé près de la façade. Le conflit entre dans sa 13ᵉ année.";

    private async Task<(Guid Source, Dictionary<string, Guid> Claims)> ArrangeAsync()
    {
        var source = await Api.Source(Text);
        var claims = new Dictionary<string, Guid>();
        foreach (var (key, quote, by) in new[]
                 {
                     ("armee", "l’Armée syrienne a quitté Alep", "Observatoire syrien des droits de l’homme"),
                     ("aleppo", "Les combats autour d’Aleppo", "ONU"),
                     ("people", "plus de 14 000 personnes", "ONU"),
                     ("oeuvre", "Une œuvre naïve a brûlé près de la façade", "Article (unattributed)"),
                     ("year", "sa 13ᵉ année", "Article (unattributed)"),
                 })
        {
            var r = await Api.Post("/api/claims", new { sourceId = source, quote, attributedTo = by });
            r.Status.ShouldBe(201, r.Body);
            claims[key] = r.Json.GetProperty("id").GetGuid();
        }
        return (source, claims);
    }

    private async Task<List<Guid>> Found(Guid source, string query, string? user = LedgerApi.Checker)
    {
        var r = await Api.Get($"/api/claims?sourceId={source}&{query}", user);
        r.Status.ShouldBe(200, r.Body);
        return r.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
    }

    [Theory]
    [InlineData("q=armee", new[] { "armee" })]
    [InlineData("q=ARMÉE", new[] { "armee" })]
    [InlineData("q=Alep", new[] { "armee", "aleppo" })]
    [InlineData("q=aleppo", new[] { "aleppo" })]
    [InlineData("q=oeuvre%20naive", new[] { "oeuvre" })]
    [InlineData("q=FACADE", new[] { "oeuvre" })]
    [InlineData("q=14000", new[] { "people" })]
    [InlineData("q=14%20000", new[] { "people" })]
    [InlineData("q=13e%20annee", new[] { "year" })]
    [InlineData("q=observatoire%20homme", new[] { "armee" })]
    [InlineData("q=onu", new[] { "aleppo", "people" })]
    [InlineData("q=alep%20onu", new[] { "aleppo" })]
    [InlineData("q=armee%20onu", new string[0])]
    [InlineData("q=paris", new string[0])]
    public async Task Q_finds_words_of_quotes_and_originators_ignoring_case_and_accents_each_as_a_word_beginning(string query, string[] expected)
    {
        var (source, claims) = await ArrangeAsync();
        (await Found(source, query)).ShouldBe(expected.Select(k => claims[k]), ignoreOrder: true);
    }

    [Fact]
    public async Task Filters_combine_with_each_other_and_with_q()
    {
        var (source, claims) = await ArrangeAsync();
        var figure = await Api.Figure();
        var onFigure = await Api.Claim(source: await Api.Source(), figure: figure, attributedTo: "OSDH", user: LedgerApi.OtherChecker);
        (await Api.Post($"/api/claims/{claims["people"]}/evidence", new { sourceId = source, stance = "supports", note = "n" })).Status.ShouldBe(200);
        (await Api.Post($"/api/claims/{claims["year"]}/disputes", new { reason = "14th year" }, LedgerApi.OtherChecker)).Status.ShouldBe(201);

        (await Found(source, "status=under_review")).ShouldBe([claims["people"]]);
        (await Found(source, "status=disputed&q=annee")).ShouldBe([claims["year"]]);
        (await Found(source, "status=disputed&q=alep")).ShouldBeEmpty();
        (await Found(source, "attributedTo=%20onu%20")).ShouldBe([claims["people"], claims["aleppo"]], ignoreOrder: true);
        (await Found(source, "attributedTo=ONU&status=submitted")).ShouldBe([claims["aleppo"]]);
        (await Found(source, $"submittedBy={LedgerApi.Checker}")).Count.ShouldBe(5);
        (await Found(source, $"submittedBy={LedgerApi.OtherChecker}")).ShouldBeEmpty();

        var byFigure = await Api.Get($"/api/claims?figureId={figure}&submittedBy={LedgerApi.OtherChecker}&attributedTo=osdh", LedgerApi.Auditor);
        byFigure.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldBe([onFigure]);
        var item = byFigure.Json.GetProperty("items")[0];
        foreach (var field in new[] { "id", "status", "attributedTo", "figureId", "sourceId", "value", "quote", "submittedBy", "lastChangedAt", "version" })
            item.TryGetProperty(field, out _).ShouldBeTrue(field);
        item.GetProperty("value").GetProperty("bound").GetString().ShouldBe("at_least");
        item.TryGetProperty("searchTerms", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Pages_are_most_recently_changed_first_and_a_change_moves_a_claim_to_the_front()
    {
        var (source, claims) = await ArrangeAsync();
        var pages = new List<List<Guid>>();
        string? after = null;
        do
        {
            var r = await Api.Get($"/api/claims?sourceId={source}&limit=2" + (after is null ? "" : $"&after={after}"));
            r.Status.ShouldBe(200, r.Body);
            pages.Add(r.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList());
            after = r.Json.GetProperty("next").ValueKind == JsonValueKind.Null ? null : r.Json.GetProperty("next").GetString();
        } while (after != null);
        pages.Select(p => p.Count).ShouldBe([2, 2, 1]);
        pages.SelectMany(p => p).ShouldBe(claims.Values.Reverse());

        (await Api.Post($"/api/claims/{claims["armee"]}/evidence", new { sourceId = source, stance = "supports", note = "n" })).Status.ShouldBe(200);
        var first = await Api.Get($"/api/claims?sourceId={source}&limit=1");
        first.Json.GetProperty("items")[0].GetProperty("id").GetGuid().ShouldBe(claims["armee"]);
        first.Json.GetProperty("items")[0].GetProperty("version").GetInt64().ShouldBe(2);
        first.Json.GetProperty("items")[0].GetProperty("status").GetString().ShouldBe("under_review");
    }

    [Fact]
    public async Task Without_filters_the_newest_claims_come_first()
    {
        var claim = await Api.Claim();
        var r = await Api.Get("/api/claims?limit=200", LedgerApi.Reviewer);
        r.Status.ShouldBe(200);
        var times = r.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("lastChangedAt").GetDateTimeOffset()).ToList();
        times.ShouldBe(times.OrderByDescending(t => t));
        r.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldContain(claim);
    }

    [Theory]
    [InlineData("status=accepted", "status")]
    [InlineData("status=UnderReview", "status")]
    [InlineData("figureId=42", "figureId")]
    [InlineData("sourceId=not-a-guid", "sourceId")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("after=garbage", "after")]
    [InlineData("after=c291cmNlczoxOjA", "after")]
    [InlineData("q=%21%21%21", "q")]
    [InlineData("q=a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m", "q")]
    [InlineData("attributedTo=a%01b", "attributedTo")]
    public async Task Each_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        var r = await Api.Get($"/api/claims?{query}");
        r.Status.ShouldBe(400, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task An_admin_may_not_list_claims_and_no_key_is_401()
    {
        var r = await Api.Get("/api/claims", LedgerApi.Admin);
        r.Status.ShouldBe(403, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        (await Api.Get("/api/claims", user: null)).Status.ShouldBe(401);
    }

    [Fact]
    public async Task A_cursor_of_another_list_is_refused()
    {
        var sources = await Api.Get("/api/sources?limit=1");
        var next = sources.Json.GetProperty("next").GetString();
        next.ShouldNotBeNull();
        var r = await Api.Get($"/api/claims?after={next}");
        r.Status.ShouldBe(400);
        r.ProblemField.ShouldBe("after");
    }
}
