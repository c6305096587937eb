using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using ClaimLedger.Web;

namespace ClaimLedger.Access;

/// <summary>
/// The framework's rate limiter, three ways. A token bucket per API key: <c>ClaimLedger:RateLimit:PerSecond</c> requests a
/// second (default 200) with bursts up to <c>:Burst</c> (400). A token bucket per client address for requests without a
/// valid key, and for the key lookups they cause (<see cref="KeyLookups"/>): <c>:AnonymousPerSecond</c> (20) and
/// <c>:AnonymousBurst</c> (40). And at most <c>:ExportsPerKey</c> (2) exports at once per key (<see cref="ExportPolicy"/>).
/// Past any of them: 429 with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string KeyClaim = "claimledger:key";

    /// <summary>The policy of the export routes: a few exports at once per key, however slowly their clients read.</summary>
    public const string ExportPolicy = "exports";

    /// <summary>How long a key that already runs its exports is asked to wait before trying again.</summary>
    public const int ExportRetryAfterSeconds = 5;

    public static IServiceCollection AddKeyRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<KeyLookups>();
        services.AddRateLimiter(_ => { });
        // Read when the limiter is built, so that configuration given to a test host applies.
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            var perSecond = configuration.GetValue("ClaimLedger:RateLimit:PerSecond", 200);
            var burst = configuration.GetValue("ClaimLedger:RateLimit:Burst", 400);
            var anonymous = AnonymousBucket(configuration);
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.User.FindFirst(KeyClaim)?.Value is { } key
                    ? RateLimitPartition.GetTokenBucketLimiter("key:" + key, _ => Bucket(perSecond, burst))
                    : RateLimitPartition.GetTokenBucketLimiter("address:" + AddressOf(http), _ => anonymous));
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(http, 429, Problems.TitleFor(429), http.User.FindFirst(KeyClaim) is null
                    ? $"this address sent more than {anonymous.TokensPerPeriod} requests a second without a valid API key (bursts of {anonymous.TokenLimit}); retry after {retryAfter} s"
                    : $"this API key made more than {perSecond} requests a second (bursts of {burst}); retry after {retryAfter} s", "Authorization");
            };
            o.AddPolicy(ExportPolicy, new ExportSlots(configuration.GetValue("ClaimLedger:RateLimit:ExportsPerKey", 2)));
        });
        return services;
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
    };

    internal static TokenBucketRateLimiterOptions AnonymousBucket(IConfiguration configuration) =>
        Bucket(configuration.GetValue("ClaimLedger:RateLimit:AnonymousPerSecond", 20), configuration.GetValue("ClaimLedger:RateLimit:AnonymousBurst", 40));

    /// <summary>The client's address as this server sees it (behind a proxy, the proxy's).</summary>
    internal static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Concurrent exports per key: a lease is held for the whole response, however long the client takes to read it.</summary>
    private sealed class ExportSlots(int perKey) : IRateLimiterPolicy<string>
    {
        public RateLimitPartition<string> GetPartition(HttpContext http) =>
            RateLimitPartition.GetConcurrencyLimiter(http.User.FindFirst(KeyClaim)?.Value ?? "address:" + AddressOf(http),
                _ => new ConcurrencyLimiterOptions { PermitLimit = perKey, QueueLimit = 0 });

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, _) =>
        {
            context.HttpContext.Response.Headers.RetryAfter = ExportRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Write(context.HttpContext, 429, Problems.TitleFor(429),
                $"this API key already runs {perKey} exports at once; retry when one of them has finished", "Authorization");
        };
    }
}

/// <summary>
/// Looking up an API key that is not in the cache costs a database query, and a client can send a new made-up key with
/// every request. Those lookups are limited per client address, with the same bucket sizes as requests without a valid
/// key; an address past it is refused before its key is looked up.
/// </summary>
public sealed class KeyLookups(IConfiguration configuration)
{
    private readonly TokenBucketRateLimiterOptions _bucket = RateLimits.AnonymousBucket(configuration);
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        RateLimitPartition.GetTokenBucketLimiter(RateLimits.AddressOf(http), _ => RateLimits.AnonymousBucket(configuration)));

    /// <summary>Whether this client may look up one more key now; if not, how many seconds it should wait.</summary>
    public bool TryTake(HttpContext http, out int retryAfterSeconds)
    {
        using var lease = _limiter.AttemptAcquire(http);
        retryAfterSeconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        return lease.IsAcquired;
    }

    public string Limit => $"{_bucket.TokensPerPeriod} a second (bursts of {_bucket.TokenLimit})";
}
