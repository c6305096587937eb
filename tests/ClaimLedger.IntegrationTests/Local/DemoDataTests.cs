using ClaimLedger.Claims;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using ClaimLedger.Local;

namespace ClaimLedger.IntegrationTests.Local;

/// <summary>The seed article in a database of its own: its source, figures and claims as the article attributes them.</summary>
public class DemoDataTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task The_seed_article_becomes_a_source_its_figures_and_its_claims()
    {
        var seeded = await DemoData.SeedAsync(Api.Store, CancellationToken.None);

        var source = await Api.Get($"/api/sources/{seeded.SourceId}");
        source.Status.ShouldBe(200);
        source.Json.GetProperty("language").GetString().ShouldBe("fr");
        source.Json.GetProperty("outlet").GetString().ShouldBe("unknown");
        source.Json.GetProperty("publishedAt").GetString()!.ShouldStartWith("2024-11-29");
        source.Json.GetProperty("text").GetString().ShouldBe(DemoData.ArticleText());

        await using var session = Api.Store.QuerySession();
        var claims = (await session.LoadManyAsync<Claim>(seeded.Claims.Values)).ToDictionary(c => c.Id);
        claims.Count.ShouldBe(seeded.Claims.Count);

        var deaths = claims[seeded.Claims["deaths_osdh"]];
        deaths.Value.ShouldBe(new ClaimValue(242, Bound.AtLeast));
        deaths.AttributedTo.ShouldContain("OSDH");
        deaths.ValidFrom.ShouldBe(new DateTimeOffset(2024, 11, 27, 0, 0, 0, TimeSpan.Zero));
        claims[seeded.Claims["civilian_deaths_osdh"]].Value.ShouldBe(new ClaimValue(24, Bound.Exact));
        claims[seeded.Claims["localities_osdh"]].Value.ShouldBe(new ClaimValue(50, Bound.Approximately));
        claims[seeded.Claims["localities_osdh"]].Quote.ShouldContain("attaqude"); // the typo, verbatim
        claims[seeded.Claims["displaced_un"]].Value.ShouldBe(new ClaimValue(14000, Bound.MoreThan));
        claims[seeded.Claims["displaced_un"]].AttributedTo.ShouldContain("ONU");
        claims[seeded.Claims["university_residence"]].Value.ShouldBe(new ClaimValue(4, Bound.Exact));
        claims[seeded.Claims["distance"]].Value.ShouldBe(new ClaimValue(2, Bound.Exact));
        claims[seeded.Claims["war_thirteenth_year"]].Value.ShouldBe(new ClaimValue(13, Bound.Exact));

        var text = DemoData.ArticleText();
        foreach (var claim in claims.Values.Where(c => c.SourceId == seeded.SourceId))
        {
            claim.Anchor.ShouldNotBeNull(claim.Quote);
            claim.SubmittedBy.ShouldBe("demo-checker");
            Quotes.QuoteAnchoring.Find(text[claim.Anchor.Start..claim.Anchor.End], claim.Quote).ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task The_seed_gets_a_real_lifecycle()
    {
        var seeded = await DemoData.SeedAsync(Api.Store, CancellationToken.None);
        await using var session = Api.Store.QuerySession();

        var thirteenth = await session.LoadAsync<Claim>(seeded.Claims["war_thirteenth_year"]);
        thirteenth!.Status.ShouldBe(ClaimStatus.Refuted);
        var dispute = thirteenth.Disputes.Single();
        dispute.Outcome.ShouldBe(DisputeOutcome.Upheld);
        dispute.Reason.ShouldContain("14th year");
        dispute.OpenedBy.ShouldNotBe(dispute.ResolvedBy);

        var threeYears = await session.LoadAsync<Claim>(seeded.Claims["violence_three_years"]);
        var since2020 = await session.LoadAsync<Claim>(seeded.Claims["violence_since_2020"]);
        threeYears!.Evidence.Single().Stance.ShouldBe(Stance.Contradicts);
        threeYears.Evidence.Single().Quote.ShouldBe(since2020!.Quote);
        since2020.Evidence.Single().Quote.ShouldBe(threeYears.Quote);
        threeYears.Status.ShouldBe(ClaimStatus.UnderReview);

        var older = await session.LoadAsync<Claim>(seeded.Claims["deaths_osdh"]);
        var later = await session.LoadAsync<Claim>(seeded.Claims["deaths_osdh_later"]);
        older!.SupersededBy.ShouldBe(later!.Id);
        older.Status.ShouldBe(ClaimStatus.Submitted);
        later.Supersedes.ShouldBe(older.Id);
        later.Value.ShouldBe(new ClaimValue(311, Bound.AtLeast));
        var illustrative = await session.LoadAsync<ClaimLedger.Sources.Source>(later.SourceId);
        illustrative!.Title.ShouldStartWith("[Illustrative]");
        later.Anchor.ShouldNotBeNull();
    }
}
