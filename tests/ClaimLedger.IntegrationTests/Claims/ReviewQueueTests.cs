using System.Text.Json;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary><c>GET /api/reviews/pending</c>: what the calling reviewer may decide now, four eyes applied, oldest first.</summary>
public class ReviewQueueTests : IAsyncLifetime
{
    // A ledger of its own: the queue is every pending decision, and these tests count them all.
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("reviewqueue");

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<List<(Guid Claim, string Reason, Guid? Dispute)>> QueueOf(string reviewer)
    {
        var r = await _api.Get("/api/reviews/pending?limit=200", reviewer);
        r.Status.ShouldBe(200, r.Body);
        return r.Json.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("claimId").GetGuid(), i.GetProperty("reason").GetString()!,
            i.TryGetProperty("disputeId", out var d) && d.ValueKind == JsonValueKind.String ? d.GetGuid() : (Guid?)null)).ToList();
    }

    [Fact]
    public async Task Each_reviewer_sees_what_it_may_decide_oldest_first_never_its_own_claim_or_dispute()
    {
        var byChecker = await _api.Claim(user: LedgerApi.Checker);
        var byRita = await _api.Claim(user: LedgerApi.Reviewer);
        var disputedByRavi = await _api.Claim(user: LedgerApi.Checker);
        var opened = await _api.Post($"/api/claims/{disputedByRavi}/disputes", new { reason = "the count is older" }, LedgerApi.OtherReviewer);
        opened.Status.ShouldBe(201, opened.Body);
        var dispute = opened.Json.GetProperty("disputeId").GetGuid();
        var judged = await _api.Claim(user: LedgerApi.Checker);
        (await _api.Post($"/api/claims/{judged}/verdict", new { verdict = "verified", note = "n" }, LedgerApi.Reviewer)).Status.ShouldBe(200);

        (await QueueOf(LedgerApi.Reviewer)).ShouldBe([(byChecker, "awaiting_verdict", null), (disputedByRavi, "dispute_open", dispute)]);
        (await QueueOf(LedgerApi.OtherReviewer)).ShouldBe([(byChecker, "awaiting_verdict", null), (byRita, "awaiting_verdict", null)]);

        // Deciding takes the claim off the queue; a claim whose dispute is resolved awaits a verdict again, since then.
        (await _api.Post($"/api/claims/{disputedByRavi}/disputes/{dispute}/resolution", new { outcome = "rejected", note = "n" }, LedgerApi.Reviewer))
            .Status.ShouldBe(200);
        (await _api.Post($"/api/claims/{byChecker}/verdict", new { verdict = "false", note = "n" }, LedgerApi.OtherReviewer)).Status.ShouldBe(200);
        (await QueueOf(LedgerApi.Reviewer)).ShouldBe([(disputedByRavi, "awaiting_verdict", null)]);
        (await QueueOf(LedgerApi.OtherReviewer)).ShouldBe([(byRita, "awaiting_verdict", null), (disputedByRavi, "awaiting_verdict", null)]);
    }

    [Fact]
    public async Task Items_show_the_claim_and_pages_follow_the_cursor()
    {
        var claims = new List<Guid>();
        for (var i = 0; i < 5; i++) claims.Add(await _api.Claim(user: LedgerApi.Checker));
        var seen = new List<Guid>();
        string? after = null;
        var pages = 0;
        do
        {
            var r = await _api.Get("/api/reviews/pending?limit=2" + (after is null ? "" : $"&after={after}"), LedgerApi.Reviewer);
            r.Status.ShouldBe(200, r.Body);
            foreach (var item in r.Json.GetProperty("items").EnumerateArray())
            {
                seen.Add(item.GetProperty("claimId").GetGuid());
                item.GetProperty("quote").GetString().ShouldBe("au moins 242 victimes depuis mercredi");
                item.GetProperty("attributedTo").GetString().ShouldBe("OSDH");
                item.GetProperty("status").GetString().ShouldBe("submitted");
                item.GetProperty("since").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
            }
            after = r.Json.GetProperty("next").ValueKind == JsonValueKind.Null ? null : r.Json.GetProperty("next").GetString();
            pages++;
        } while (after != null);
        pages.ShouldBe(3);
        seen.ShouldBe(claims);
    }

    [Theory]
    [InlineData(LedgerApi.Checker)]
    [InlineData(LedgerApi.Auditor)]
    [InlineData(LedgerApi.Admin)]
    public async Task A_role_that_may_not_review_gets_403(string user)
    {
        var r = await _api.Get("/api/reviews/pending", user);
        r.Status.ShouldBe(403, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        (await _api.Get("/api/reviews/pending", user: null)).Status.ShouldBe(401);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=x", "limit")]
    [InlineData("after=garbage", "after")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        var r = await _api.Get($"/api/reviews/pending?{query}", LedgerApi.Reviewer);
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task A_cursor_of_the_claims_list_is_refused()
    {
        await _api.Claim();
        await _api.Claim();
        var next = (await _api.Get("/api/claims?limit=1")).Json.GetProperty("next").GetString();
        var r = await _api.Get($"/api/reviews/pending?after={next}", LedgerApi.Reviewer);
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe("after");
    }
}
