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

    private async Task ShotAsync(string user, string route, string name, int width = 1280, int height = 900, string? scrollTo = null,
        Func<AppPage, Task>? then = null)
    {
        await using var p = await app.SignInAsync(user, width, height);
        await p.GoAsync(route);
        if (then != null) await then(p);
        if (scrollTo != null) await p.Page.Locator(scrollTo).First.ScrollIntoViewIfNeededAsync();
        else await p.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var path = Path.Combine(Folder(), name);
        await p.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = scrollTo == null && width > 400 });
        new FileInfo(path).Length.ShouldBeGreaterThan(10_000);
    }

    /// <summary>Both keys pinned and the claim verified, once the witness has cosigned the latest checkpoint.</summary>
    private async Task VerifyAsync(AppPage p)
    {
        using var http = app.As(AppFixture.Auditor);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await http.GetJsonAsync("/api/audit/checkpoints/latest")).GetProperty("note").GetString()!.Contains(AppFixture.WitnessName) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        await p.Page.GetByLabel("Log verifier key").FillAsync(app.LogVerifierKey);
        await p.Page.GetByLabel("Witness verifier keys (optional, one a line)").FillAsync(app.WitnessVerifierKey);
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Pin these keys" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#pin-status")).ToContainTextAsync("Keys pinned");
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✓ Verified in this browser", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_main_pages_are_photographed_for_the_README()
    {
        await ShotAsync(AppFixture.Checker, "/figures", "figures.png");
        await ShotAsync(AppFixture.Checker, $"/figures/{app.Seed.Figures["civilian_deaths"]}", "figure.png");
        await ShotAsync(AppFixture.Reviewer, $"/claims/{app.Seed.Claims["war_thirteenth_year"]}", "claim.png");
        await ShotAsync(AppFixture.Checker, $"/sources/{app.Seed.SourceId}", "source.png");
        await ShotAsync(AppFixture.Auditor, $"/audit?claim={app.Seed.Claims["war_thirteenth_year"]}", "audit.png", then: VerifyAsync);
        await ShotAsync(AppFixture.Checker, $"/figures/{app.Seed.Figures["deaths"]}", "figure-360.png", 360, 900, scrollTo: "svg.chart");
    }
}
