using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ClaimLedger.Web;

namespace ClaimLedger.Access;

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>, looked up by its SHA-256.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDocumentStore store,
    IMemoryCache cache, KeyLookups lookups)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>How long a key's lookup is remembered: a changed role or a removed key takes effect within this time.</summary>
    public static readonly TimeSpan KeyCacheLifetime = TimeSpan.FromSeconds(10);

    /// <summary>Set on a request whose key was not looked up because its address made too many lookups: the seconds to wait.</summary>
    private const string ThrottledItem = "claimledger:key-lookups-throttled";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer <api key>'");
        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 200) return AuthenticateResult.Fail("the API key is not valid");

        // Keys are looked up by hash and remembered for a few seconds, unknown ones too: one query per key, not per
        // request. A key not remembered costs a query, so made-up keys are limited per client address before it.
        var hash = ApiKeys.Hash(key);
        var cacheKey = $"apikey:{hash}";
        if (!cache.TryGetValue(cacheKey, out ApiKey? found))
        {
            if (!lookups.TryTake(Context, out var retryAfter))
            {
                Context.Items[ThrottledItem] = retryAfter;
                return AuthenticateResult.Fail($"this address sent more unknown API keys than the limit of {lookups.Limit}; retry after {retryAfter} s");
            }
            await using var session = store.QuerySession();
            // Not bound to the request: the answer serves every request with this key for a while, and a client hanging up
            // would cancel the statement in flight, a refusal that can leave it half prepared (HalfPreparedStatements).
            found = await session.LoadAsync<ApiKey>(hash, CancellationToken.None);
            cache.Set(cacheKey, found, KeyCacheLifetime);
        }
        if (found is null) return AuthenticateResult.Fail("the API key is not valid");
        if (!UserNames.IsRecordable(found.UserName))
            return AuthenticateResult.Fail("this key's user has a name that the ledger cannot record (it holds control or format characters): " +
                                           "add the user again under a valid name");

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, found.UserName), new Claim(ClaimTypes.Role, found.Role), new Claim(RateLimits.KeyClaim, found.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        if (Context.Items[ThrottledItem] is int retryAfter)
        {
            Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Write(Context, StatusCodes.Status429TooManyRequests, Problems.TitleFor(429), failure!, field: "Authorization");
            return;
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Write(Context, StatusCodes.Status401Unauthorized, "Not authenticated",
            failure ?? "this route needs an API key: send 'Authorization: Bearer <api key>'", field: "Authorization");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
        return Problems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden",
            $"the role '{role}' may not do this", field: "Authorization");
    }
}

/// <summary>Who is acting: the name recorded as the <c>actor</c> of every event, and its role.</summary>
/// <remarks>
/// The name is checked here as well as when the user is added: whatever is in the database, the ledger never records
/// an actor with a control or format character in it.
/// </remarks>
public sealed record Actor(string Name, string Role)
{
    public string Name { get; } = UserNames.IsRecordable(Name)
        ? Name
        : throw new ArgumentException("an actor's name holds no control, format or unassigned character", nameof(Name));

    public static Actor From(ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? throw new InvalidOperationException("an authenticated user has a name"),
            user.FindFirstValue(ClaimTypes.Role) ?? "");
}
