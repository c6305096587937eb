using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ClaimLedger.Web;

namespace ClaimLedger.Access;

/// <summary>What a key lookup found: the key's user, role and id; null (cached too) for a key unknown or revoked.</summary>
public sealed record KeyHolder(string UserName, string Role, Guid KeyId);

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>, looked up by its SHA-256.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDocumentStore store,
    Npgsql.NpgsqlDataSource dataSource, IMemoryCache cache, KeyLookups lookups, AccessChanges changes, KeyUses uses)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>
    /// How long a key's lookup is remembered while this node hears of every change to users and keys
    /// (<see cref="AccessChanges"/>): a change makes every lookup cached before it unused at once, on every node.
    /// </summary>
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
        // Cached per generation of changes: the generation is taken before the lookup, so a lookup that raced a change is
        // cached under the generation the change ended, and never used.
        var hash = ApiKeys.Hash(key);
        var cacheKey = $"apikey:{changes.Generation}:{hash}";
        if (!cache.TryGetValue(cacheKey, out KeyHolder? found))
        {
            if (!lookups.TryTake(Context, out var retryAfter))
            {
                Context.Items[ThrottledItem] = retryAfter;
                return AuthenticateResult.Fail($"this address sent more unknown API keys than the limit of {lookups.Limit}; retry after {retryAfter} s");
            }
            // Not bound to the request: the answer serves every request with this key for a while, and a client hanging up
            // would cancel the statement in flight, a refusal that can leave it half prepared (HalfPreparedStatements).
            var lifetime = changes.CacheLifetime;
            found = await FindAsync(hash);
            cache.Set(cacheKey, found, lifetime);
        }
        if (found is null) return AuthenticateResult.Fail("the API key is not valid (unknown, or revoked)");
        if (!UserNames.IsRecordable(found.UserName))
            return AuthenticateResult.Fail("this key's user has a name that the ledger cannot record (it holds control or format characters): " +
                                           "add the user again under a valid name");

        uses.Note(found.KeyId);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, found.UserName), new Claim(ClaimTypes.Role, found.Role), new Claim(RateLimits.KeyClaim, found.KeyId.ToString("N"))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>The key's holder, if the key was issued and is not revoked: its user's role now.</summary>
    private async Task<KeyHolder?> FindAsync(string hash)
    {
        if (await UserDirectory.FindKeyAsync(dataSource, store.Options.Serializer(), hash, CancellationToken.None) is not var (account, keyId)) return null;
        return account.Keys.Any(k => k.KeyId == keyId && !k.Revoked) ? new KeyHolder(account.Name, account.Role, keyId) : null;
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
