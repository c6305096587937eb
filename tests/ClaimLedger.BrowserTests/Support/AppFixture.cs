using System.Collections.Concurrent;
using ClaimLedger.Access;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Local;
using ClaimLedger.Reliability;
using ClaimLedger.Storage;
using Marten;
using Microsoft.Playwright;
using Npgsql;

namespace ClaimLedger.BrowserTests.Support;

/// <summary>
/// One API process on a fresh PostgreSQL database holding the demo data, a witness (a second API process, on a database
/// of its own) that cosigns its checkpoints, and one headless Debian chromium, shared by every browser test (each test
/// opens contexts of its own). No browser is ever downloaded.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string Checker = "demo-checker", Reviewer = "demo-reviewer", OtherReviewer = "demo-reviewer-2", Auditor = "demo-auditor", Admin = "demo-admin";

    public const string Origin = "claimledger.test/browser", WitnessName = "witness.test/browser";

    public ApiProcess Api { get; private set; } = null!;
    public ApiProcess Witness { get; private set; } = null!;
    /// <summary>The note verifier keys an auditor pins: the log's (type 0x01) and the witness's (type 0x04).</summary>
    public string LogVerifierKey { get; private set; } = "";
    public string WitnessVerifierKey { get; private set; } = "";
    public string BaseUrl => $"http://127.0.0.1:{Api.Port}";
    public string ConnectionString { get; private set; } = "";
    public string SigningKeyPem { get; private set; } = "";
    public DocumentStore Store { get; private set; } = null!;
    public DemoData.Seeded Seed { get; private set; } = null!;
    public ConcurrentDictionary<string, string> Keys { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;

    public async Task InitializeAsync()
    {
        var server = await LocalPostgres.EnsureServerAsync();
        ConnectionString = await LocalPostgres.EnsureDatabaseAsync(server, $"clbrowser_{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_{Guid.NewGuid():N}"[..40]);
        SigningKeyPem = PemKeys.NewEd25519Pem();
        LogVerifierKey = VerifierKeyOf(Origin, NoteKeyTypes.Ed25519, SigningKeyPem);
        Store = new DocumentStore(LedgerStore.For(ConnectionString));
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        foreach (var (name, role) in DemoData.DemoUsers) Keys[name] = await ApiKeys.IssueAsync(Store, name, role, TimeProvider.System);
        Seed = await DemoData.SeedAsync(Store, CancellationToken.None);
        // The witness starts first, knowing the log's key; the log then submits every checkpoint to it.
        var witnessKey = PemKeys.NewEd25519Pem();
        WitnessVerifierKey = VerifierKeyOf(WitnessName, NoteKeyTypes.Cosignature, witnessKey);
        Witness = await ApiProcess.StartAsync(
            await LocalPostgres.EnsureDatabaseAsync(server, $"clbrowserw_{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_{Guid.NewGuid():N}"[..40]),
            PemKeys.NewEd25519Pem(), "no key needed", new Dictionary<string, string>
            {
                ["ClaimLedger__Witness__Name"] = WitnessName,
                ["ClaimLedger__Witness__PrivateKeyPem"] = witnessKey,
                ["ClaimLedger__Witness__Logs__0__VerifierKey"] = LogVerifierKey,
            });
        Api = await ApiProcess.StartAsync(ConnectionString, SigningKeyPem, Keys[Checker], new Dictionary<string, string>
        {
            ["ClaimLedger__Ledger__Origin"] = Origin,
            ["ClaimLedger__Witnesses__0__Url"] = $"http://127.0.0.1:{Witness.Port}/tlog/witness",
            ["ClaimLedger__Witnesses__0__VerifierKey"] = WitnessVerifierKey,
        });

        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync();
    }

    /// <summary>A headless chromium of its own, with more command-line arguments.</summary>
    public Task<IBrowser> LaunchAsync(params string[] arguments) => _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. arguments],
    });

    private static string VerifierKeyOf(string name, byte type, string pem)
    {
        using var key = PemKeys.Read(pem).Ed25519[0];
        return new NoteSigner(name, type, key).Verifier.Encoded;
    }

    /// <summary>A new user with a key of its own (tests that revoke keys do not touch the shared ones).</summary>
    public async Task<string> NewUserAsync(string role)
    {
        var name = $"user-{role}-{Guid.NewGuid():N}"[..20];
        Keys[name] = await ApiKeys.IssueAsync(Store, name, role, TimeProvider.System);
        return name;
    }

    /// <summary>A page signed in as <paramref name="user"/> through the sign-in form, at the given width.</summary>
    public async Task<AppPage> SignInAsync(string user, int width = 1280, int height = 900)
    {
        var page = await OpenAsync(width, height);
        await page.Page.GotoAsync(BaseUrl + "/");
        await page.Page.GetByLabel("API key").FillAsync(Keys[user]);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Page.GetByText("Signed in as").WaitForAsync();
        return page;
    }

    public async Task<AppPage> OpenAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(15_000);
        return new AppPage(this, context, await context.NewPageAsync());
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
        await Api.DisposeAsync();
        await Witness.DisposeAsync();
        Store.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "the app";
}

/// <summary>A page of the app with what it logged: console errors (a CSP violation is one) and uncaught errors.</summary>
public sealed class AppPage : IAsyncDisposable
{
    public AppFixture App { get; }
    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public List<string> Errors { get; } = [];
    public List<string> Dialogs { get; } = [];

    public AppPage(AppFixture app, IBrowserContext context, IPage page)
    {
        (App, Context, Page) = (app, context, page);
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("the server responded with a status of")) Errors.Add(m.Text); };
        page.PageError += (_, e) => Errors.Add(e);
        page.Dialog += async (_, d) => { Dialogs.Add(d.Message); await d.DismissAsync(); };
    }

    /// <summary>Goes to an app route (<c>/figures/…</c>) and waits for its heading.</summary>
    public async Task GoAsync(string route)
    {
        // A full load (the key stays in this tab's sessionStorage), so that "network idle" means this page's requests.
        await Page.GotoAsync("about:blank");
        await Page.GotoAsync($"{App.BaseUrl}/#{route}");
        await Page.Locator($"main[data-rendered='{route.Split('?')[0]}']").WaitForAsync();
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    public ILocator Main => Page.Locator("main");

    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}
