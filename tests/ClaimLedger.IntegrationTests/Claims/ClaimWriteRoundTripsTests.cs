using ClaimLedger.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Claims;

public sealed class RoundTripsFixture : IAsyncLifetime
{
    public LedgerApi Api { get; private set; } = null!;
    public SessionRoundTrips Sent { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await LedgerApi.StartAsync("round-trips");
        Sent = SessionRoundTrips.Record(Api.Store);
    }

    public Task DisposeAsync() => Api.DisposeAsync().AsTask();
}

/// <summary>
/// The round trips a write to a claim makes to PostgreSQL (besides its COMMIT), counted on the sessions that named its
/// claim or key, for a claim on a figure (whose lock the write takes) and a quote to anchor where the route takes one.
/// The budgets are what each write took when it was written by hand, before Wolverine's aggregate workflow ran it, and one
/// more: Marten's inline projection of the claim summary (what lists, search and the review queue read) loads the summary
/// in a round trip of its own before the write.
/// </summary>
public class ClaimWriteRoundTripsTests(RoundTripsFixture fixture, ITestOutputHelper output) : IClassFixture<RoundTripsFixture>
{
    private LedgerApi Api => fixture.Api;

    /// <param name="alone">Without a key: the reads its checks make, the claim's lock and load, the figure's lock, the summary's load, the write.</param>
    /// <param name="keyed">With one: and the key's lock with its first response.</param>
    [Theory]
    [InlineData("evidence", 5, 6)] // the evidence's source
    [InlineData("disputes", 5, 6)] // the dispute's source
    [InlineData("resolution", 4, 5)]
    [InlineData("verdict", 4, 5)]
    [InlineData("corrections", 6, 7)] // the claim, then its source, for the corrected quote
    [InlineData("retraction", 5, 6)] // the figure's projection reads the figure's claims
    public async Task A_claim_write_makes_no_more_round_trips_than_it_did_by_hand(string route, int alone, int keyed)
    {
        var source = await Api.Source();
        var (claim, path, body, user) = await ArrangeAsync(route, source);
        fixture.Sent.Clear();
        (await Api.Post(path, body, user)).Status.ShouldBeLessThan(300);
        var unkeyed = fixture.Sent.Of(user, claim.ToString()).Count;
        unkeyed.ShouldBeLessThanOrEqualTo(alone, Show(fixture.Sent.Of(user, claim.ToString())));

        (claim, path, body, user) = await ArrangeAsync(route, source);
        var key = Guid.NewGuid().ToString();
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = key };
        fixture.Sent.Clear();
        var first = await Api.Post(path, body, user, headers);
        first.Status.ShouldBeLessThan(300);
        var withKey = fixture.Sent.Of(user, claim.ToString()).Count;
        withKey.ShouldBeLessThanOrEqualTo(keyed, Show(fixture.Sent.Of(user, claim.ToString())));

        // A repeat is answered in one round trip: the key's first response, read with what the checks read, if anything.
        fixture.Sent.Clear();
        (await Api.Post(path, body, user, headers)).Body.ShouldBe(first.Body);
        var repeat = fixture.Sent.Of(user, key).Count;
        output.WriteLine($"{route}: {unkeyed} round trips without a key, {withKey} with one, {repeat} for a repeat (besides the COMMIT)");
        repeat.ShouldBe(1, Show(fixture.Sent.Of(user, key)));
    }

    private static string Show(IReadOnlyList<IReadOnlyList<string>> trips) =>
        string.Join("\n", trips.Select(t => string.Join(" | ", t.Select(s => s.Length > 80 ? s[..80] : s))));

    private async Task<(Guid Claim, string Path, object Body, string User)> ArrangeAsync(string route, Guid source)
    {
        var claim = await Api.Claim(source, await Api.Figure());
        var path = $"/api/claims/{claim}";
        return route switch
        {
            "evidence" => (claim, $"{path}/evidence", new { sourceId = source, quote = "242 victimes", stance = "supports", note = "n" }, LedgerApi.Checker),
            "disputes" => (claim, $"{path}/disputes", new { reason = "r", sourceId = source, quote = "24 civils" }, LedgerApi.OtherChecker),
            "resolution" => (claim, $"{path}/disputes/{await OpenDisputeAsync(claim)}/resolution", new { outcome = "rejected", note = "n" }, LedgerApi.Reviewer),
            "verdict" => (claim, $"{path}/verdict", new { verdict = "verified", note = "n" }, LedgerApi.Reviewer),
            "corrections" => (claim, $"{path}/corrections", new { quote = "24 civils", reason = "r" }, LedgerApi.Checker),
            _ => (claim, $"{path}/retraction", new { reason = "r" }, LedgerApi.Checker),
        };
    }

    private async Task<Guid> OpenDisputeAsync(Guid claim)
    {
        var r = await Api.Post($"/api/claims/{claim}/disputes", new { reason = "r" }, LedgerApi.OtherChecker);
        r.Status.ShouldBe(201, r.Body);
        return r.Json.GetProperty("disputeId").GetGuid();
    }
}
