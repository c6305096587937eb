using System.Text.Json;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Sources;

/// <summary><c>GET /api/sources</c> (paged, searchable, without texts) and <c>GET /api/sources/{id}/claims</c>.</summary>
public class SourceListTests : IAsyncLifetime
{
    // A ledger of its own: the tests read whole lists.
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("sourcelist");

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<Guid> Register(string title, string outlet)
    {
        var r = await _api.Post("/api/sources", new { title, outlet, language = "fr", publishedAt = "2024-11-29", text = Arrange.Text });
        r.Status.ShouldBe(201, r.Body);
        return r.Json.GetProperty("id").GetGuid();
    }

    private static List<Guid> Ids(ApiResponse r) => r.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

    private static string? Next(ApiResponse r) => r.Json.GetProperty("next").ValueKind == JsonValueKind.Null ? null : r.Json.GetProperty("next").GetString();

    [Fact]
    public async Task Sources_are_listed_newest_first_in_pages_without_their_text()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add(await Register($"Article {i}", "Le Monde"));
        var seen = new List<Guid>();
        string? after = null;
        var pages = 0;
        do
        {
            var r = await _api.Get("/api/sources?limit=2" + (after is null ? "" : $"&after={after}"), LedgerApi.Auditor);
            r.Status.ShouldBe(200, r.Body);
            seen.AddRange(Ids(r));
            foreach (var item in r.Json.GetProperty("items").EnumerateArray())
            {
                item.TryGetProperty("text", out _).ShouldBeFalse();
                item.TryGetProperty("searchTerms", out _).ShouldBeFalse();
                item.GetProperty("hasText").GetBoolean().ShouldBeTrue();
                item.GetProperty("outlet").GetString().ShouldBe("Le Monde");
            }
            after = Next(r);
            pages++;
        } while (after != null);
        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Reverse(ids));
    }

    [Theory]
    [InlineData("armee", new[] { 0 })]
    [InlineData("ARMÉE%20syrienne", new[] { 0 })]
    [InlineData("alep", new[] { 0, 1 })]
    [InlineData("monde", new[] { 1 })]
    [InlineData("liberation", new[] { 2 })]
    [InlineData("berlin", new int[0])]
    public async Task Q_finds_words_of_titles_and_outlets_ignoring_case_and_accents(string q, int[] expected)
    {
        Guid[] ids = [await Register("L’Armée syrienne quitte Alep", "Agence France-Presse"), await Register("Alep, une ville", "Le Monde"),
            await Register("Offensive", "Libération")];
        var r = await _api.Get($"/api/sources?q={q}");
        r.Status.ShouldBe(200, r.Body);
        Ids(r).ShouldBe(expected.Select(i => ids[i]), ignoreOrder: true);
    }

    [Fact]
    public async Task A_sources_claims_are_listed_most_recently_changed_first_in_pages()
    {
        var source = await Register("Bilan", "OSDH");
        var other = await Register("Autre", "OSDH");
        var claims = new List<Guid>();
        for (var i = 0; i < 3; i++) claims.Add(await _api.Claim(source: source));
        await _api.Claim(source: other);
        (await _api.Post($"/api/claims/{claims[0]}/evidence", new { sourceId = other, stance = "supports", note = "n" })).Status.ShouldBe(200);

        var first = await _api.Get($"/api/sources/{source}/claims?limit=2", LedgerApi.Auditor);
        first.Status.ShouldBe(200, first.Body);
        Ids(first).ShouldBe([claims[0], claims[2]]);
        first.Json.GetProperty("items")[0].GetProperty("sourceId").GetGuid().ShouldBe(source);
        var second = await _api.Get($"/api/sources/{source}/claims?limit=2&after={Next(first)}");
        Ids(second).ShouldBe([claims[1]]);
        Next(second).ShouldBeNull();

        var none = await _api.Get($"/api/sources/{await Register("Vide", "OSDH")}/claims");
        none.Status.ShouldBe(200);
        Ids(none).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/api/sources?limit=0", "limit")]
    [InlineData("/api/sources?limit=500", "limit")]
    [InlineData("/api/sources?after=nope", "after")]
    [InlineData("/api/sources?q=%3F%3F", "q")]
    [InlineData("/api/sources?q=a%00b", "q")]
    [InlineData("/api/sources/00000000-0000-0000-0000-000000000001/claims?limit=-1", "limit")]
    [InlineData("/api/sources/00000000-0000-0000-0000-000000000001/claims?after=nope", "after")]
    public async Task A_bad_parameter_is_a_400_naming_it(string path, string field)
    {
        var r = await _api.Get(path);
        r.Status.ShouldBe(400, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task A_cursor_of_another_list_is_refused()
    {
        await Register("a", "b");
        await Register("c", "d");
        var next = Next(await _api.Get("/api/sources?limit=1"));
        var r = await _api.Get($"/api/sources/{Guid.NewGuid()}/claims?after={next}");
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe("after");
    }

    [Fact]
    public async Task An_unknown_source_is_404_and_an_admin_may_not_read_either_list()
    {
        var r = await _api.Get($"/api/sources/{Guid.NewGuid()}/claims");
        r.Status.ShouldBe(404, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        (await _api.Get("/api/sources", LedgerApi.Admin)).Status.ShouldBe(403);
        (await _api.Get($"/api/sources/{Guid.NewGuid()}/claims", LedgerApi.Admin)).Status.ShouldBe(403);
        (await _api.Get("/api/sources", user: null)).Status.ShouldBe(401);
    }
}
