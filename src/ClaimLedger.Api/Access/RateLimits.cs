using System.Globalization;
using System.Threading.RateLimiting;
using ClaimLedger.Hosting;
using Microsoft.AspNetCore.RateLimiting;

namespace ClaimLedger.Access;

/// <summary>
/// A token bucket per API key (the framework's rate limiter): <c>ClaimLedger:RateLimit:PerSecond</c> requests a second
/// (default 200) with bursts up to <c>ClaimLedger:RateLimit:Burst</c> (default 400). Past it: 429 with Retry-After.
/// Requests without a key are not limited here: they are refused by authentication anyway.
/// </summary>
public static class RateLimits
{
    public const string KeyClaim = "claimledger:key";

    public static IServiceCollection AddKeyRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        // Read when the limiter is built, so that configuration given to a test host applies.
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            var perSecond = configuration.GetValue("ClaimLedger:RateLimit:PerSecond", 200);
            var burst = configuration.GetValue("ClaimLedger:RateLimit:Burst", 400);
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.User.FindFirst(KeyClaim)?.Value is { } key
                    ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = burst, TokensPerPeriod = perSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0, AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter("no key"));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(context.HttpContext, 429, Problems.TitleFor(429),
                    $"this API key made more than {perSecond} requests a second (bursts of {burst}); retry after {retryAfter} s", "Authorization");
            };
        });
        return services;
    }
}
