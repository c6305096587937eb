using ClaimLedger.BrowserTests.Support;
using Microsoft.Playwright;

namespace ClaimLedger.BrowserTests;

/// <summary>The README's pictures, taken from the real app on the demo data at every run (docs/screenshots/).</summary>
[Collection(AppCollection.Name)]
public class Screenshots(AppFixture app)
{
    private static string Folder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ClaimLedger.sln"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private async Task ShotAsync(string user, string route, string name, int width = 1280, int height = 900, string? scrollTo = null)
    {
        await using var p = await app.SignInAsync(user, width, height);
        await p.GoAsync(route);
        if (scrollTo != null) await p.Page.Locator(scrollTo).First.ScrollIntoViewIfNeededAsync();
        else await p.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var path = Path.Combine(Folder(), name);
        await p.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = scrollTo == null && width > 400 });
        new FileInfo(path).Length.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public async Task The_main_pages_are_photographed_for_the_README()
    {
        await ShotAsync(AppFixture.Checker, "/figures", "figures.png");
        await ShotAsync(AppFixture.Checker, $"/figures/{app.Seed.Figures["civilian_deaths"]}", "figure.png");
        await ShotAsync(AppFixture.Reviewer, $"/claims/{app.Seed.Claims["war_thirteenth_year"]}", "claim.png");
        await ShotAsync(AppFixture.Checker, $"/sources/{app.Seed.SourceId}", "source.png");
        await ShotAsync(AppFixture.Auditor, "/audit", "audit.png");
        await ShotAsync(AppFixture.Checker, $"/figures/{app.Seed.Figures["deaths"]}", "figure-360.png", 360, 900, scrollTo: "svg.chart");
    }
}
