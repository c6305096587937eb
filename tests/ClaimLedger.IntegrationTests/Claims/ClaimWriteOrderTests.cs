using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary>
/// The order of a write to a claim (Wolverine's aggregate workflow with the steps of Claims.ClaimRequest): the request is
/// read and checked, and its quote anchored, before the claim's lock; an Idempotency-Key's first response is found before
/// it too. Shown by holding the claim's stream row from outside: what is answered while it is held did not wait for it.
/// </summary>
public class ClaimWriteOrderTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Writes => new() { "evidence", "disputes", "resolution", "verdict", "corrections", "retraction" };

    /// <summary>A write to a claim of the default checker: its path, a body the route accepts, who may send it, and a text field it requires.</summary>
    private sealed record Write(string Path, Dictionary<string, object?> Body, string User, string TextField);

    private async Task<(Guid Claim, Guid Source, Write Write)> ArrangeAsync(string route)
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source, await Api.Figure());
        var path = $"/api/claims/{claim}";
        var write = route switch
        {
            "evidence" => new Write($"{path}/evidence", new() { ["sourceId"] = source, ["quote"] = "24 civils", ["stance"] = "supports", ["note"] = "n" }, LedgerApi.Checker, "note"),
            "disputes" => new Write($"{path}/disputes", new() { ["reason"] = "r", ["sourceId"] = source, ["quote"] = "24 civils" }, LedgerApi.OtherChecker, "reason"),
            "resolution" => new Write($"{path}/disputes/{await OpenDisputeAsync(claim)}/resolution", new() { ["outcome"] = "rejected", ["note"] = "n" }, LedgerApi.Reviewer, "note"),
            "verdict" => new Write($"{path}/verdict", new() { ["verdict"] = "verified", ["note"] = "n" }, LedgerApi.Reviewer, "note"),
            "corrections" => new Write($"{path}/corrections", new() { ["quote"] = "24 civils", ["reason"] = "r" }, LedgerApi.Checker, "reason"),
            _ => new Write($"{path}/retraction", new() { ["reason"] = "r" }, LedgerApi.Checker, "reason"),
        };
        return (claim, source, write);
    }

    private async Task<Guid> OpenDisputeAsync(Guid claim)
    {
        var r = await Api.Post($"/api/claims/{claim}/disputes", new { reason = "r" }, LedgerApi.OtherChecker);
        r.Status.ShouldBe(201, r.Body);
        return r.Json.GetProperty("disputeId").GetGuid();
    }

    private static async Task<ApiResponse> WithoutWaiting(Task<ApiResponse> request)
    {
        (await Task.WhenAny(request, Task.Delay(Patience))).ShouldBe(request, "the answer waited for the claim's lock");
        return await request;
    }

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value);

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_bad_request_is_refused_without_waiting_for_the_claim(string route)
    {
        var (claim, _, write) = await ArrangeAsync(route);
        await using (await Api.HoldClaimAsync(claim))
        {
            var blank = await WithoutWaiting(Api.Post(write.Path, new Dictionary<string, object?>(write.Body) { [write.TextField] = " " }, write.User));
            blank.Status.ShouldBe(400, blank.Body);
            blank.ProblemField.ShouldBe(write.TextField);
            var wrongType = await WithoutWaiting(Api.PostRaw(write.Path, $$"""{"{{write.TextField}}": 3}""", write.User));
            wrongType.Status.ShouldBe(400, wrongType.Body);
            wrongType.ProblemField.ShouldBe(write.TextField);
            var notJson = await WithoutWaiting(Api.PostRaw(write.Path, "reason=r", write.User, "application/x-www-form-urlencoded"));
            notJson.Status.ShouldBe(415, notJson.Body);
            var ifMatch = await WithoutWaiting(Api.Post(write.Path, write.Body, write.User, Headers(("If-Match", "3"))));
            ifMatch.Status.ShouldBe(400, ifMatch.Body);
            ifMatch.ProblemField.ShouldBe("If-Match");
            var badKey = await WithoutWaiting(Api.Post(write.Path, write.Body, write.User, Headers(("Idempotency-Key", new string('k', 256)))));
            badKey.Status.ShouldBe(400, badKey.Body);
            badKey.ProblemField.ShouldBe("Idempotency-Key");
        }
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(route == "resolution" ? 2 : 1);
    }

    [Theory]
    [InlineData("evidence", false)]
    [InlineData("evidence", true)]
    [InlineData("disputes", false)]
    [InlineData("disputes", true)]
    [InlineData("corrections", false)]
    [InlineData("corrections", true)]
    public async Task A_quote_not_in_its_source_is_refused_without_waiting_for_the_claim(string route, bool keyed)
    {
        var (claim, _, write) = await ArrangeAsync(route);
        var headers = keyed ? Headers(("Idempotency-Key", Guid.NewGuid().ToString())) : null;
        await using (await Api.HoldClaimAsync(claim))
        {
            var r = await WithoutWaiting(Api.Post(write.Path, new Dictionary<string, object?>(write.Body) { ["quote"] = "pas dans le texte" }, write.User, headers));
            r.Status.ShouldBe(422, r.Body);
            r.ProblemField.ShouldBe("quote");
        }
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_keyed_repeat_answers_as_the_first_without_waiting_for_the_claim_even_with_a_stale_If_Match(string route)
    {
        var (claim, _, write) = await ArrangeAsync(route);
        var version = route == "resolution" ? 2 : 1;
        var headers = Headers(("Idempotency-Key", Guid.NewGuid().ToString()), ("If-Match", $"\"{version}\""));
        var first = await Api.Post(write.Path, write.Body, write.User, headers);
        first.Status.ShouldBeLessThan(300, first.Body);
        first.ETag.ShouldBe($"\"{version + 1}\"");
        await using (await Api.HoldClaimAsync(claim))
        {
            var repeat = await WithoutWaiting(Api.Post(write.Path, write.Body, write.User, headers));
            repeat.Status.ShouldBe(first.Status);
            repeat.Body.ShouldBe(first.Body);
            repeat.ETag.ShouldBe(first.ETag);
            repeat.Headers.Location.ShouldBe(first.Headers.Location);
        }
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(version + 1);
    }

    /// <summary>
    /// A repeat with the same key and body returns the first response, whatever its If-Match: a client retrying after a
    /// lost answer gets what it asked for the first time, not a 400 for a header the first request did not need. Without
    /// a first response, a malformed If-Match is still a 400.
    /// </summary>
    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_keyed_repeat_with_a_malformed_If_Match_answers_as_the_first(string route)
    {
        var (claim, _, write) = await ArrangeAsync(route);
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());
        var refused = await Api.Post(write.Path, write.Body, write.User, Headers(key, ("If-Match", "3x")));
        refused.Status.ShouldBe(400, refused.Body);
        refused.ProblemField.ShouldBe("If-Match");

        var first = await Api.Post(write.Path, write.Body, write.User, Headers(key));
        first.Status.ShouldBeLessThan(300, first.Body);
        var repeat = await Api.Post(write.Path, write.Body, write.User, Headers(key, ("If-Match", "3x")));
        repeat.Status.ShouldBe(first.Status, repeat.Body);
        repeat.Body.ShouldBe(first.Body);
        repeat.ETag.ShouldBe(first.ETag);
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(route == "resolution" ? 3 : 2);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task An_unknown_claim_is_404_naming_the_id(string route)
    {
        var (_, _, write) = await ArrangeAsync(route);
        var unknown = Guid.NewGuid();
        var path = System.Text.RegularExpressions.Regex.Replace(write.Path, "^/api/claims/[^/]+", $"/api/claims/{unknown}");
        var r = await Api.Post(path, write.Body, write.User);
        r.Status.ShouldBe(404, r.Body);
        r.ProblemField.ShouldBe("id");
        r.ContentType.ShouldBe("application/problem+json");
    }
}
