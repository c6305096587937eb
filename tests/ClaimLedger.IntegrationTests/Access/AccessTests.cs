using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Access;

public class AccessTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Theory]
    [InlineData("/api/sources")]
    [InlineData("/api/figures")]
    [InlineData("/api/claims/00000000-0000-0000-0000-000000000001")]
    public async Task No_key_is_401_with_a_problem(string path)
    {
        var r = await Api.Get(path, user: null);
        r.Status.ShouldBe(401);
        r.ContentType.ShouldBe("application/problem+json");
        r.Headers.WwwAuthenticate.ToString().ShouldContain("Bearer");
    }

    [Fact]
    public async Task A_bad_key_is_401()
    {
        var r = await Api.Get("/api/sources", user: "clk_not-a-real-key");
        r.Status.ShouldBe(401);
        r.Json.GetProperty("detail").GetString()!.ShouldContain("not valid");
        var post = await Api.Post("/api/sources", new { title = "t" }, user: "clk_not-a-real-key");
        post.Status.ShouldBe(401);
    }

    [Fact]
    public async Task A_malformed_authorization_header_is_401()
    {
        var r = await Api.Send(HttpMethod.Get, "/api/sources", null, null, new Dictionary<string, string> { ["Authorization"] = "Basic YWxhZGRpbjpvcGVuc2VzYW1l" });
        r.Status.ShouldBe(401);
    }

    [Theory]
    [InlineData(LedgerApi.Auditor, "/api/sources")]
    [InlineData(LedgerApi.Auditor, "/api/figures")]
    [InlineData(LedgerApi.Auditor, "/api/claims")]
    [InlineData(LedgerApi.Admin, "/api/claims")]
    public async Task A_role_that_may_not_write_gets_403(string user, string path)
    {
        var r = await Api.PostRaw(path, "{}", user);
        r.Status.ShouldBe(403);
        r.ContentType.ShouldBe("application/problem+json");
        r.Json.GetProperty("detail").GetString()!.ShouldContain("may not");
    }

    [Fact]
    public async Task An_admin_manages_keys_but_does_not_read_the_ledger()
    {
        (await Api.Get("/api/sources", LedgerApi.Admin)).Status.ShouldBe(403);
    }

    [Fact]
    public async Task Writes_record_the_actor_of_the_key()
    {
        var id = await Api.Claim(user: LedgerApi.Reviewer);
        var events = await Api.Get($"/api/claims/{id}/events");
        events.Json[0].GetProperty("actor").GetString().ShouldBe(LedgerApi.Reviewer);
    }

    [Fact]
    public async Task Keys_are_stored_hashed_and_neither_key_nor_hash_is_in_an_event_or_the_users_documents()
    {
        var key = Api.Keys[LedgerApi.Checker];
        var hash = ClaimLedger.Access.ApiKeys.Hash(key);
        (await Api.ScalarAsync($"select count(*) from {ClaimLedger.Access.UserDirectory.KeyHashes} where hash = @h", ("h", hash))).ShouldBe(1);
        foreach (var secret in new[] { key[4..], hash })
        {
            (await Api.ScalarAsync($"select count(*) from {ClaimLedger.Access.UserDirectory.KeyHashes} where key_id::text like '%' || @k || '%'", ("k", secret))).ShouldBe(0);
            (await Api.ScalarAsync("select count(*) from claimledger.mt_events where data::text like '%' || @k || '%'", ("k", secret))).ShouldBe(0);
            (await Api.ScalarAsync("select count(*) from claimledger.mt_doc_useraccount where data::text like '%' || @k || '%'", ("k", secret))).ShouldBe(0);
        }
        (await Api.ScalarAsync($"select count(*) from {ClaimLedger.Access.UserDirectory.KeyHashes} where hash like '%' || @k || '%'", ("k", key[4..]))).ShouldBe(0);
    }
}
