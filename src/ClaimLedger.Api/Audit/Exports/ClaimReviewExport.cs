using System.Text.Json.Nodes;
using ClaimLedger.Access;
using ClaimLedger.Claims;
using ClaimLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Audit.Exports;

/// <summary>
/// schema.org ClaimReview JSON-LD for every claim with a verdict: what fact-check aggregators read. The reviewing
/// organisation is <c>ClaimLedger:Organisation</c> from configuration.
/// </summary>
public static class ClaimReviewExport
{
    [EndpointSummary("Export schema.org ClaimReview JSON-LD for every claim with a verdict")]
    [WolverineGet("/api/export/claimreview", Name = "ExportClaimReview"), Authorize(Policy = Policies.Audit)]
    [EnableRateLimiting(RateLimits.ExportPolicy)]
    [Tags("Export")]
    public static async Task<IResult> Get(string? figureId, IQuerySession session, IConfiguration configuration, HttpContext http)
    {
        var ct = http.RequestAborted;
        Guid? figure = null;
        if (figureId != null)
        {
            if (!Guid.TryParse(figureId, out var parsed)) return Problems.Result(400, "must be a figure id (a GUID)", "figureId");
            figure = parsed;
        }
        var query = session.Query<Claim>().Where(c => c.Verdict != null);
        if (figure is { } f) query = query.Where(c => c.FigureId == f);
        var claims = await query.OrderBy(c => c.SubmittedAt).ToListAsync(ct);
        var sources = (await session.LoadManyAsync<Source>(ct, claims.Select(c => c.SourceId).Distinct())).ToDictionary(s => s.Id);
        var organisation = configuration["ClaimLedger:Organisation"] ?? "ClaimLedger";
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}";

        var reviews = new JsonArray();
        foreach (var claim in claims)
        {
            var verdict = claim.Verdict!;
            sources.TryGetValue(claim.SourceId, out var source);
            var appearance = new JsonObject { ["@type"] = "CreativeWork" };
            if (source != null)
            {
                appearance["headline"] = source.Title;
                appearance["datePublished"] = source.PublishedAt.ToString("yyyy-MM-dd");
                appearance["publisher"] = new JsonObject { ["@type"] = "Organization", ["name"] = source.Outlet };
                if (source.Url != null) appearance["url"] = source.Url;
            }
            reviews.Add(new JsonObject
            {
                ["@context"] = "https://schema.org",
                ["@type"] = "ClaimReview",
                ["url"] = $"{baseUrl}/api/claims/{claim.Id}",
                ["claimReviewed"] = claim.Quote,
                ["itemReviewed"] = new JsonObject
                {
                    ["@type"] = "Claim",
                    ["author"] = new JsonObject { ["@type"] = "Organization", ["name"] = claim.AttributedTo },
                    ["datePublished"] = source?.PublishedAt.ToString("yyyy-MM-dd"),
                    ["appearance"] = appearance,
                },
                ["datePublished"] = verdict.RecordedAt.ToString("yyyy-MM-dd"),
                ["reviewRating"] = new JsonObject
                {
                    ["@type"] = "Rating",
                    ["alternateName"] = AlternateName(verdict.Verdict),
                    ["ratingExplanation"] = verdict.Note,
                },
                ["author"] = new JsonObject { ["@type"] = "Organization", ["name"] = organisation },
            });
        }
        return Results.Text(reviews.ToJsonString(JsonSetup.Options), "application/ld+json; charset=utf-8");
    }

    public static string AlternateName(Verdict verdict) => verdict switch
    {
        Verdict.Verified => "True",
        Verdict.False => "False",
        Verdict.Misleading => "Misleading",
        Verdict.Unverifiable => "Unverifiable",
        _ => verdict.ToString(),
    };
}
