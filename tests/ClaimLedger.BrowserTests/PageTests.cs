using System.Text.RegularExpressions;
using ClaimLedger.BrowserTests.Support;
using Microsoft.Playwright;

namespace ClaimLedger.BrowserTests;

/// <summary>Each page renders the seed article's data, as the people it is for read it.</summary>
[Collection(AppCollection.Name)]
public class PageTests(AppFixture app)
{
    private const string Nbsp = "\u00a0", Nnbsp = "\u202f";

    [Fact]
    public async Task The_figures_list_shows_every_seed_figure_with_its_current_range_and_filters_as_you_type()
    {
        await using var p = await app.SignInAsync(AppFixture.Checker);
        await p.GoAsync("/figures");
        var deaths = p.Main.Locator("tbody tr", new() { HasTextRegex = new Regex("^Deaths in the north-west Syria offensive") });
        (await deaths.InnerTextAsync()).ShouldContain("311");
        var displaced = p.Main.Locator("tbody tr", new() { HasTextRegex = new Regex("^People displaced by the offensive") });
        (await displaced.InnerTextAsync()).ShouldContain($"48{Nnbsp}500");
        (await p.Main.Locator("tbody tr").CountAsync()).ShouldBe(app.Seed.Figures.Count);

        await p.Page.GetByLabel("Search").FillAsync("RÉSIDENCE");   // ignoring case and accents, as people type
        await Assertions.Expect(p.Main.Locator("tbody tr")).ToHaveCountAsync(1);
        p.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_figure_shows_its_picture_its_timeline_with_a_table_and_its_revisions_and_replays_an_earlier_instant()
    {
        await using var p = await app.SignInAsync(AppFixture.Checker);
        await p.GoAsync($"/figures/{app.Seed.Figures["deaths"]}");
        var osdh = p.Main.Locator("table.picture tr", new() { HasText = "OSDH" });
        (await osdh.InnerTextAsync()).ShouldContain($"≥{Nbsp}311");
        (await osdh.InnerTextAsync()).ShouldContain("from 2024-11-27");
        // One point per change, each a DOM element with its title; and the same points as a table.
        (await p.Main.Locator("svg.chart .point").CountAsync()).ShouldBeGreaterThanOrEqualTo(3);
        (await p.Main.Locator("svg.chart .point title").First.TextContentAsync())!.ShouldContain("at least 242");
        (await p.Main.Locator("details.chart-data tbody tr").CountAsync()).ShouldBe(await p.Main.Locator("svg.chart .point").CountAsync());
        await Assertions.Expect(p.Main.Locator("section", new() { HasText = "Every change" }).Locator("tbody tr").First).ToContainTextAsync("demo-checker");

        // As of the first revision: the 242 the article gave, before the later toll superseded it.
        await p.Page.GetByLabel("or just after revision").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("h2", new() { HasText = "The picture as of" })).ToBeVisibleAsync();
        (await p.Main.Locator("table.picture tr", new() { HasText = "OSDH" }).InnerTextAsync()).ShouldContain($"≥{Nbsp}242");
        p.Page.Url.ShouldContain("asOf=");
        p.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_claim_shows_its_quote_anchored_in_the_source_the_sha256_recomputed_and_every_event_with_its_leaf()
    {
        await using var p = await app.SignInAsync(AppFixture.Checker);
        await p.GoAsync($"/claims/{app.Seed.Claims["war_thirteenth_year"]}");
        (await p.Main.Locator("blockquote.quote").First.TextContentAsync()).ShouldBe("Alors que le conflit syrien entre dans sa 13ᵉ année");
        (await p.Main.Locator("mark#anchor").TextContentAsync()).ShouldBe("Alors que le conflit syrien entre dans sa 13ᵉ année");
        await Assertions.Expect(p.Main.Locator("mark#anchor")).ToBeInViewportAsync();
        await Assertions.Expect(p.Main.Locator(".sha")).ToContainTextAsync("✓ The text’s SHA-256, recomputed in this browser, matches");
        (await p.Main.Locator(".facts").InnerTextAsync()).ShouldContain("refuted");
        (await p.Main.Locator(".decisions").InnerTextAsync()).ShouldContain("Dispute upheld");
        await Assertions.Expect(p.Main.Locator("table.events tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(p.Main.Locator("table.events tbody tr td.hash").First).ToHaveTextAsync(new Regex("^[0-9a-f]{64}$"), new() { Timeout = 10_000 });
        p.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_source_shows_its_archived_text_with_French_typography_and_its_checksum()
    {
        await using var p = await app.SignInAsync(AppFixture.Checker);
        await p.GoAsync($"/sources/{app.Seed.SourceId}");
        (await p.Main.Locator("h1").TextContentAsync()).ShouldBe("Offensive djihadiste dans le nord-ouest de la Syrie : les combats menacent Alep");
        (await p.Main.Locator("#source-text").TextContentAsync()).ShouldBe(ClaimLedger.Local.DemoData.ArticleText());
        await Assertions.Expect(p.Main.Locator(".sha")).ToContainTextAsync("✓");
        await Assertions.Expect(p.Main.Locator("details.new-claim")).ToBeVisibleAsync();
        p.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_sources_list_names_the_seed_article_and_the_illustrative_sources()
    {
        await using var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync("/sources");
        await Assertions.Expect(p.Main.Locator("tbody tr", new() { HasText = "Offensive djihadiste" })).ToBeVisibleAsync();
        (await p.Main.Locator("tbody tr", new() { HasText = "[Illustrative]" }).CountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task The_audit_page_shows_the_latest_signed_checkpoint()
    {
        await using var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync("/audit");
        await Assertions.Expect(p.Main.Locator("section", new() { HasText = "Latest checkpoint" }).Locator("dd").First).ToHaveTextAsync(new Regex(@"^\d+$"));
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify the ledger" }).ClickAsync();
        await Assertions.Expect(p.Main.GetByText("✓ The ledger verifies")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Theory]
    [InlineData("/figures")]
    [InlineData("/claims/{claim}")]
    [InlineData("/sources/{source}")]
    [InlineData("/figures/{figure}")]
    public async Task At_360_px_wide_nothing_but_tables_scrolls_sideways(string route)
    {
        await using var p = await app.SignInAsync(AppFixture.Checker, width: 360, height: 740);
        await p.GoAsync(route.Replace("{claim}", app.Seed.Claims["deaths_osdh"].ToString())
            .Replace("{source}", app.Seed.SourceId.ToString()).Replace("{figure}", app.Seed.Figures["deaths"].ToString()));
        var widths = await p.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scroll, client) = (widths[0], widths[1]);
        scroll.ShouldBeLessThanOrEqualTo(client, $"{route} is {scroll} px wide in a {client} px window");
    }

    [Fact]
    public async Task Every_file_of_the_app_is_sent_with_a_strict_content_security_policy()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var path in new[] { "/", "/index.html", "/app.css", "/js/main.js", "/js/verify.js" })
        {
            using var response = await http.GetAsync(path);
            response.IsSuccessStatusCode.ShouldBeTrue(path);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            csp.ShouldContain("default-src 'self'");
            csp.ShouldContain("script-src 'self'");
            csp.ShouldNotContain("unsafe-inline");
            csp.ShouldNotContain("unsafe-eval");
        }
        (await http.GetStringAsync("/index.html")).ShouldNotContain("<script>");
        // The API reference stays where it was.
        (await http.GetAsync("/docs/v1")).IsSuccessStatusCode.ShouldBeTrue();
    }
}
