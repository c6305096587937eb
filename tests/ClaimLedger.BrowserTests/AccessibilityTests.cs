using ClaimLedger.BrowserTests.Support;
using Deque.AxeCore.Playwright;

namespace ClaimLedger.BrowserTests;

/// <summary>axe-core on every page, as each role sees it, on a wide screen and at 360 px.</summary>
[Collection(AppCollection.Name)]
public class AccessibilityTests(AppFixture app)
{
    public static TheoryData<string, string, int> Pages => new()
    {
        { AppFixture.Checker, "/figures", 1280 },
        { AppFixture.Checker, "/figures/{figure}", 1280 },
        { AppFixture.Checker, "/figures/{figure}", 360 },
        { AppFixture.Checker, "/claims/{claim}", 1280 },
        { AppFixture.Checker, "/claims/{claim}", 360 },
        { AppFixture.Checker, "/sources/{source}", 1280 },
        { AppFixture.Checker, "/sources", 1280 },
        { AppFixture.Checker, "/claims", 1280 },
        { AppFixture.Reviewer, "/claims/{disputed}", 1280 },
        { AppFixture.Reviewer, "/reviews", 1280 },
        { AppFixture.Auditor, "/audit", 1280 },
        { AppFixture.Auditor, "/audit", 360 },
        { AppFixture.Admin, "/users", 1280 },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Axe_finds_no_violation(string user, string route, int width)
    {
        await using var p = await app.SignInAsync(user, width);
        await p.GoAsync(route.Replace("{figure}", app.Seed.Figures["deaths"].ToString()).Replace("{claim}", app.Seed.Claims["deaths_osdh"].ToString())
            .Replace("{source}", app.Seed.SourceId.ToString()).Replace("{disputed}", app.Seed.Claims["distance"].ToString()));
        // Open every disclosure, so that the forms inside are checked too.
        await p.Page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
        var result = await p.Page.RunAxe();
        result.Violations.ShouldBeEmpty(string.Join("\n", result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}")));
    }

    [Fact]
    public async Task Axe_finds_no_violation_on_the_sign_in_page()
    {
        await using var p = await app.OpenAsync(360, 740);
        await p.Page.GotoAsync(app.BaseUrl + "/");
        await p.Page.GetByLabel("API key").WaitForAsync();
        var result = await p.Page.RunAxe();
        result.Violations.ShouldBeEmpty(string.Join("\n", result.Violations.Select(v => $"{v.Id}: {v.Help}")));
    }
}
