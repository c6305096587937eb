using ClaimLedger.Claims;
using ClaimLedger.Claims.TimeTravel;
using ClaimLedger.IntegrationTests.Support;
using Marten;

namespace ClaimLedger.IntegrationTests.Claims;

public class ClaimHistoryTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task Answers_through_snapshots_equal_a_full_fold_at_every_version()
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        await using (var session = Api.Store.LightweightSession())
        {
            session.LastModifiedBy = LedgerApi.Checker;
            var stream = await session.Events.FetchForWriting<Claim>(claim);
            for (var i = 0; i < 260; i++)
                stream.AppendOne(new EvidenceAttached(Guid.NewGuid(), source, null, null, Stance.Supports, $"note {i}"));
            await session.SaveChangesAsync();
        }

        await using var query = Api.Store.QuerySession();
        foreach (var version in new long[] { 150, 120, 200, 261, 1, 99, 250 })
        {
            var answered = await ClaimHistory.AtVersionAsync(Api.Store, query, claim, version, CancellationToken.None);
            var folded = await query.Events.AggregateStreamAsync<Claim>(claim, version);
            System.Text.Json.JsonSerializer.Serialize(answered).ShouldBe(System.Text.Json.JsonSerializer.Serialize(folded), $"version {version}");
        }
        var snapshots = await query.Query<ClaimSnapshot>().Where(s => s.ClaimId == claim).Select(s => s.Version).ToListAsync();
        snapshots.ShouldContain(150);
        snapshots.ShouldContain(261); // 261 − 150 ≥ 100 folded: kept
        snapshots.ShouldNotContain(200);

        var http = await Api.Get($"/api/claims/{claim}?version=180");
        http.Status.ShouldBe(200, http.Body);
        http.Json.GetProperty("evidenceCount").GetInt32().ShouldBe(179);
        http.Json.GetProperty("evidence").GetArrayLength().ShouldBe(50);
        http.ETag.ShouldBe("\"180\"");
    }
}
