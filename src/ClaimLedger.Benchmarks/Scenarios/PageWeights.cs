using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Local;
using Microsoft.Playwright;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// The web app's main pages on the demo data, each loaded cold (a new browser context: nothing cached) in Debian's
    /// headless chromium: what it weighs (app files and API JSON, as transferred) and when it first paints and when its
    /// data is on screen. Figures, not targets: a page is judged by a person on a slow link, not by this machine.
    /// </summary>
    private async Task PageWeightsAsync()
    {
        await log.WriteLineAsync("Pages");
        var seeded = await DemoData.SeedAsync(_store, CancellationToken.None);
        var keys = new Dictionary<string, (string Key, string Role)>();
        foreach (var (name, role) in new[] { ("demo-checker", Roles.Checker), ("demo-reviewer", Roles.Reviewer), ("demo-auditor", Roles.Auditor), ("demo-admin", Roles.Admin) })
            keys[name] = (await ApiKeys.IssueAsync(_store, name, role, TimeProvider.System), role);
        await StartApiAsync();
        var baseUrl = _http.BaseAddress!.ToString().TrimEnd('/');

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        (string Page, string? User, string Route)[] pages =
        [
            ("sign-in", null, "/"),
            ("figures", "demo-checker", "/figures"),
            ("figure", "demo-checker", $"/figures/{seeded.Figures["deaths"]}"),
            ("claim", "demo-checker", $"/claims/{seeded.Claims["war_thirteenth_year"]}"),
            ("sources", "demo-checker", "/sources"),
            ("source", "demo-checker", $"/sources/{seeded.SourceId}"),
            ("review queue", "demo-reviewer", "/reviews"),
            ("audit", "demo-auditor", "/audit"),
            ("users", "demo-admin", "/users"),
        ];
        var samples = mode.Name.StartsWith("smoke", StringComparison.Ordinal) ? 2 : 9;
        foreach (var (page, user, route) in pages)
        {
            var loads = new List<PageLoad>();
            for (var i = 0; i < samples + 1; i++)
            {
                var load = await LoadPageAsync(browser, baseUrl, route, user is null ? null : keys[user], user);
                if (i > 0) loads.Add(load);   // the first load of each page warms the API's code paths
            }
            var median = MedianBy(loads, l => l.DataMs);
            Add("Pages", $"{page} page: time to first render, cold, median of {samples}", MedianBy(loads, l => l.FirstPaintMs).FirstPaintMs, "ms", note:
                $"its data on screen after {median.DataMs:0} ms; {median.Requests} requests");
            Add("Pages", $"{page} page: weight, cold", median.AppBytes / 1024.0 + median.ApiBytes / 1024.0, "KB", note:
                $"{median.AppBytes / 1024.0:0.0} KB of app files (HTML, CSS, JavaScript) and {median.ApiBytes / 1024.0:0.0} KB of API JSON, as transferred");
        }
    }

    private sealed record PageLoad(double FirstPaintMs, double DataMs, long AppBytes, long ApiBytes, int Requests);

    private static async Task<PageLoad> LoadPageAsync(IBrowser browser, string baseUrl, string route, (string Key, string Role)? key, string? user)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        if (key is { } k)
            await context.AddInitScriptAsync($"sessionStorage.setItem('claimledger.key', {JsonSerializer.Serialize(k.Key)});" +
                                             $"sessionStorage.setItem('claimledger.me', {JsonSerializer.Serialize(JsonSerializer.Serialize(new { name = user, role = k.Role }))});");
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{baseUrl}/#{route}");
        // The app marks main with the route once that page's data is on screen.
        await page.Locator(key is null ? "#api-key" : "main[data-rendered]").First.WaitForAsync(new() { Timeout = 30_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var dataMs = await page.EvaluateAsync<double>("() => performance.now()");
        var figures = await page.EvaluateAsync<JsonElement>("""
            () => {
              const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
              const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
              const api = entries.filter(e => new URL(e.name).pathname.startsWith('/api/'));
              const size = list => list.reduce((n, e) => n + (e.transferSize || e.encodedBodySize || 0), 0);
              return { paint, app: size(entries) - size(api), api: size(api), requests: entries.length };
            }
            """);
        return new PageLoad(figures.GetProperty("paint").GetDouble(), dataMs, figures.GetProperty("app").GetInt64(),
            figures.GetProperty("api").GetInt64(), figures.GetProperty("requests").GetInt32());
    }
}
