using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alba;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ClaimLedger.Web;
using ClaimLedger.Storage;
using ClaimLedger.Local;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.IntegrationTests.Support;

public sealed record ApiResponse(int Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string? ContentType => ContentHeaders.ContentType?.MediaType;
    public string? ETag => Headers.ETag?.Tag;

    /// <summary>The problem's field, for asserting that a refusal names it.</summary>
    public string? ProblemField => Json.TryGetProperty("field", out var f) ? f.GetString() : null;

    public override string ToString() => $"{Status} {Body}";
}

/// <summary>
/// ClaimLedger in-process through Alba, on a fresh PostgreSQL database, with a key for each role.
/// </summary>
public sealed class LedgerApi : IAsyncDisposable
{
    public IAlbaHost Host { get; }
    public string ConnectionString { get; }
    public IReadOnlyDictionary<string, string> Keys { get; }
    private readonly HttpClient _client;

    public const string Checker = "carla", OtherChecker = "chris", Reviewer = "rita", OtherReviewer = "ravi", Auditor = "audrey", Admin = "adam";

    private LedgerApi(IAlbaHost host, string connectionString, IReadOnlyDictionary<string, string> keys)
    {
        Host = host;
        ConnectionString = connectionString;
        Keys = keys;
        _client = host.Server.CreateClient();
    }

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    /// <summary>
    /// Rebuilds one projection in a daemon of the test's own, on a store configured as the API's (or with every projection
    /// on Marten's own execution: <paramref name="path"/>) and then by <paramref name="configure"/> (a smaller range, less
    /// carried state).
    /// </summary>
    public async Task RebuildAsync(string projection, Action<StoreOptions>? configure = null, RebuildPath path = RebuildPath.Fastest)
    {
        var options = LedgerStore.For(ConnectionString, path);
        configure?.Invoke(options);
        using var store = new DocumentStore(options);
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(1), CancellationToken.None);
    }

    /// <summary>Until the daemon's projections (the revision history) have every event appended so far.</summary>
    /// <remarks>
    /// The projections run as agents a leader assigns: on a loaded machine the first assignment can miss Marten's
    /// one-minute wait, so the wait is asked again (three minutes in all) before the test is failed.
    /// </remarks>
    public async Task WaitForProjectionsAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Host, TimeSpan.FromSeconds(60));
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    private static readonly Lazy<Task<LedgerApi>> SharedInstance = new(() => StartAsync("shared"));

    /// <summary>One host for the tests that do not need a database of their own.</summary>
    public static Task<LedgerApi> Shared() => SharedInstance.Value;

    /// <summary>The checkpoint signing key of the hosts these tests start (never stored in the database).</summary>
    public string SigningKeyPem { get; private init; } = "";

    public static async Task<LedgerApi> StartAsync(string purpose, IDictionary<string, string>? settings = null) =>
        await StartOnAsync(await TestDatabase.CreateAsync(purpose), null, NewSigningKey(), settings);

    /// <summary>A host on a database the test prepared (a proxy in front of it, say).</summary>
    public static Task<LedgerApi> StartOnDatabaseAsync(string connectionString, IDictionary<string, string>? settings = null) =>
        StartOnAsync(connectionString, null, NewSigningKey(), settings);

    /// <summary>A second host on the same database, keys and signing key: a restart, as far as the ledger can tell.</summary>
    public static Task<LedgerApi> RestartAsync(LedgerApi api) => StartOnAsync(api.ConnectionString, api.Keys, api.SigningKeyPem);

    /// <summary>
    /// Another host with <paramref name="api"/>'s keys and signing key, on its database or on <paramref name="connectionString"/>
    /// (a copy of it, say), with <paramref name="settings"/>.
    /// </summary>
    public static Task<LedgerApi> StartLikeAsync(LedgerApi api, string? connectionString = null, IDictionary<string, string>? settings = null) =>
        StartOnAsync(connectionString ?? api.ConnectionString, api.Keys, api.SigningKeyPem, settings);

    /// <summary>An Ed25519 checkpoint key, PKCS#8 PEM.</summary>
    public static string NewSigningKey() => ClaimLedger.Audit.Notes.PemKeys.NewEd25519Pem();

    private static async Task<LedgerApi> StartOnAsync(string connectionString, IReadOnlyDictionary<string, string>? existingKeys, string signingKey,
        IDictionary<string, string>? settings = null)
    {
        var host = await AlbaHost.For<Program>(b =>
        {
            b.UseSetting($"ConnectionStrings:{LocalPostgres.ConnectionStringName}", connectionString);
            b.UseSetting("ClaimLedger:Signing:PrivateKeyPem", signingKey);
            b.UseSetting("ClaimLedger:Ledger:CheckpointMilliseconds", "300");
            b.UseSetting("ClaimLedger:Ledger:PollMilliseconds", "50");
            // Tests drive thousands of writes with one key; the limit itself has a test of its own.
            b.UseSetting("ClaimLedger:RateLimit:PerSecond", "1000000");
            b.UseSetting("ClaimLedger:RateLimit:Burst", "1000000");
            b.UseSetting("ClaimLedger:RateLimit:AnonymousPerSecond", "1000000");
            b.UseSetting("ClaimLedger:RateLimit:AnonymousBurst", "1000000");
            b.UseSetting("ClaimLedger:RateLimit:ExportsPerKey", "1000");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) b.UseSetting(key, value);
            b.UseEnvironment("Testing");
        });
        if (existingKeys != null) return new LedgerApi(host, connectionString, existingKeys) { SigningKeyPem = signingKey };
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var keys = new Dictionary<string, string>();
        foreach (var (name, role) in new[]
                 {
                     (Checker, Roles.Checker), (OtherChecker, Roles.Checker), (Reviewer, Roles.Reviewer),
                     (OtherReviewer, Roles.Reviewer), (Auditor, Roles.Auditor), (Admin, Roles.Admin),
                 })
            keys[name] = await ApiKeys.IssueAsync(store, name, role, TimeProvider.System);
        return new LedgerApi(host, connectionString, keys) { SigningKeyPem = signingKey };
    }

    public Task<ApiResponse> Get(string path, string? user = Checker) => Send(HttpMethod.Get, path, null, user);

    public Task<ApiResponse> Post(string path, object? body, string? user = Checker, IDictionary<string, string>? headers = null) =>
        Send(HttpMethod.Post, path, body is null ? null : JsonSerializer.Serialize(body, body.GetType(), JsonSetup.Options), user, headers);

    public Task<ApiResponse> PostRaw(string path, string body, string? user = Checker, string contentType = "application/json",
        IDictionary<string, string>? headers = null) =>
        Send(HttpMethod.Post, path, body, user, headers, contentType);

    public async Task<ApiResponse> Send(HttpMethod method, string path, string? body, string? user,
        IDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (user != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Keys.TryGetValue(user, out var k) ? k : user);
        if (body != null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        if (headers != null)
            foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _client.SendAsync(request);
        return new ApiResponse((int)response.StatusCode, response.Headers, response.Content.Headers, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>Shortcuts for arranging the ledger through its own API.</summary>
public static class Arrange
{
    public const string Text = "Selon l’Observatoire syrien des droits de l’homme (OSDH), les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils.";

    public static async Task<Guid> Source(this LedgerApi api, string? text = Text, string user = LedgerApi.Checker)
    {
        var r = await api.Post("/api/sources", new { title = "Test article", outlet = "Test outlet", language = "fr", publishedAt = "2024-11-29", text }, user);
        r.Status.ShouldBe(201, r.Body);
        return r.Json.GetProperty("id").GetGuid();
    }

    public static async Task<Guid> Figure(this LedgerApi api, string metric = "deaths", string place = "north-west Syria")
    {
        var r = await api.Post("/api/figures", new { title = "Deaths", metric, unit = "people", place, topic = "test" });
        r.Status.ShouldBe(201, r.Body);
        return r.Json.GetProperty("id").GetGuid();
    }

    public static async Task<Guid> Claim(this LedgerApi api, Guid? source = null, Guid? figure = null, decimal amount = 242,
        string attributedTo = "OSDH", string user = LedgerApi.Checker, Guid? supersedes = null)
    {
        source ??= await api.Source();
        var r = await api.Post("/api/claims", new
        {
            sourceId = source, quote = "au moins 242 victimes depuis mercredi", attributedTo, figureId = figure,
            value = figure is null ? null : new { amount, bound = "at_least" }, validFrom = "2024-11-27", supersedes,
        }, user);
        r.Status.ShouldBe(201, r.Body);
        return r.Json.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// Round after round, one write to every claim in turn (<paramref name="write"/> gets the round, the claim's index and
    /// its path), so that each claim's events are spread over the whole ledger. Every write must succeed.
    /// </summary>
    public static async Task WriteInTurnAsync(this LedgerApi api, IReadOnlyList<Guid> claims, int rounds,
        Func<int, int, string, Task<ApiResponse>> write)
    {
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < claims.Count; i++)
            {
                var response = await write(round, i, $"/api/claims/{claims[i]}");
                response.Status.ShouldBeLessThan(300, response.Body);
            }
    }

    /// <summary>A reviewer rejects the claim's open dispute; with none open, the claim as read.</summary>
    public static async Task<ApiResponse> ResolveOpenDispute(this LedgerApi api, Guid claim)
    {
        var view = await api.Get($"/api/claims/{claim}");
        if (view.Json.TryGetProperty("openDispute", out var open) && open.ValueKind == System.Text.Json.JsonValueKind.Object)
            return await api.Post($"/api/claims/{claim}/disputes/{open.GetProperty("id").GetGuid()}/resolution",
                new { outcome = "rejected", note = "n" }, LedgerApi.Reviewer);
        return view;
    }
}
