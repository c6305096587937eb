using System.Security.Claims;
using System.Text.Encodings.Web;
using ClaimLedger.Hosting;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ClaimLedger.Access;

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>, looked up by its SHA-256.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDocumentStore store,
    IMemoryCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>How long a key's lookup is remembered: a changed role or a removed key takes effect within this time.</summary>
    public static readonly TimeSpan KeyCacheLifetime = TimeSpan.FromSeconds(10);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer <api key>'");
        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 200) return AuthenticateResult.Fail("the API key is not valid");

        // Keys are looked up by hash and remembered for a few seconds: one query per key, not per request.
        var hash = ApiKeys.Hash(key);
        var found = await cache.GetOrCreateAsync($"apikey:{hash}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = KeyCacheLifetime;
            await using var session = store.QuerySession();
            // Not bound to the request: the answer serves every request with this key for a while, and a client hanging up
            // would cancel the statement in flight, a refusal that can leave it half prepared (HalfPreparedStatements).
            return await session.LoadAsync<ApiKey>(hash, CancellationToken.None);
        });
        if (found is null) return AuthenticateResult.Fail("the API key is not valid");

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, found.UserName), new Claim(ClaimTypes.Role, found.Role), new Claim(RateLimits.KeyClaim, found.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
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
public sealed record Actor(string Name, string Role)
{
    public static Actor From(ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? throw new InvalidOperationException("an authenticated user has a name"),
            user.FindFirstValue(ClaimTypes.Role) ?? "");
}
