using ClaimLedger.Access;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Access;

/// <summary>Users and keys over HTTP, for admins: a key is shown once, changes are events with the admin as actor.</summary>
public class UsersApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static string NewName() => $"user-{Guid.NewGuid():N}"[..14];

    private async Task<(string Key, Guid KeyId)> Add(string name, string role)
    {
        var r = await Api.Post("/api/users", new { name, role }, LedgerApi.Admin);
        r.Status.ShouldBe(201, r.Body);
        return (r.Json.GetProperty("key").GetString()!, r.Json.GetProperty("keyId").GetGuid());
    }

    [Fact]
    public async Task An_admin_adds_a_user_issues_and_revokes_keys_changes_its_role_and_each_change_is_an_event_without_a_secret()
    {
        var name = NewName();
        var added = await Api.Post("/api/users", new { name, role = "checker" }, LedgerApi.Admin);
        added.Status.ShouldBe(201, added.Body);
        var first = added.Json.GetProperty("key").GetString()!;
        first.ShouldStartWith("clk_");
        added.Json.GetProperty("prefix").GetString().ShouldBe(first[..8]);
        added.Json.GetProperty("role").GetString().ShouldBe("checker");
        (await Api.Post("/api/sources", new { title = "t", outlet = "o", language = "fr", publishedAt = "2024-11-29" }, first)).Status.ShouldBe(201);

        var issued = await Api.Post($"/api/users/{name}/keys", null, LedgerApi.Admin);
        issued.Status.ShouldBe(201, issued.Body);
        var second = issued.Json.GetProperty("key").GetString()!;
        var secondId = issued.Json.GetProperty("keyId").GetGuid();
        (await Api.Get("/api/sources?limit=1", first)).Status.ShouldBe(200);
        (await Api.Get("/api/sources?limit=1", second)).Status.ShouldBe(200);

        var revoked = await Api.Send(HttpMethod.Delete, $"/api/users/{name}/keys/{secondId}", null, LedgerApi.Admin);
        revoked.Status.ShouldBe(204, revoked.Body);
        await Eventually.RefusedWithinAsync(() => Api.Get("/api/sources?limit=1", second), TimeSpan.FromSeconds(1));
        (await Api.Get("/api/sources?limit=1", first)).Status.ShouldBe(200);
        var again = await Api.Send(HttpMethod.Delete, $"/api/users/{name}/keys/{secondId}", null, LedgerApi.Admin);
        again.Status.ShouldBe(409, again.Body);
        again.ProblemField.ShouldBe("keyId");

        var role = await Api.Post($"/api/users/{name}/role", new { role = "auditor" }, LedgerApi.Admin);
        role.Status.ShouldBe(200, role.Body);
        role.Json.GetProperty("role").GetString().ShouldBe("auditor");
        await Eventually.WithinAsync(async () => (await Api.Post("/api/sources", new { title = "t" }, first)).Status == 403, TimeSpan.FromSeconds(1));

        // The list shows each key by its id and first 8 characters, with its uses; never a key or a hash.
        var list = await Api.Get("/api/users", LedgerApi.Admin);
        list.Status.ShouldBe(200, list.Body);
        var user = list.Json.EnumerateArray().Single(u => u.GetProperty("name").GetString() == name);
        user.GetProperty("role").GetString().ShouldBe("auditor");
        var keys = user.GetProperty("keys").EnumerateArray().ToList();
        keys.Select(k => k.GetProperty("prefix").GetString()).ShouldBe([first[..8], second[..8]]);
        keys.Select(k => k.GetProperty("revoked").GetBoolean()).ShouldBe([false, true]);
        keys[0].GetProperty("lastUsedAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        keys[0].TryGetProperty("createdAt", out _).ShouldBeTrue();
        foreach (var secret in new[] { first, second }.SelectMany(k => new[] { k, k[8..], ApiKeys.Hash(k) }))
        {
            list.Body.ShouldNotContain(secret);
            role.Body.ShouldNotContain(secret);
        }

        var events = await Api.ScalarsAsync("select type || ' ' || coalesce(user_name, '') || ' ' || data::text from claimledger.mt_events where stream_id = @id order by version",
            ("id", UserAccount.StreamIdOf(name)));
        events.Select(e => e.Split(' ')[0]).ShouldBe(["user_added", "key_issued", "key_issued", "key_revoked", "role_changed"]);
        events.ShouldAllBe(e => e.Split(' ', 3)[1] == LedgerApi.Admin);
        foreach (var secret in new[] { first, second }.SelectMany(k => new[] { k[4..], ApiKeys.Hash(k) }))
            events.ShouldAllBe(e => !e.Contains(secret));
    }

    [Fact]
    public async Task A_repeat_with_the_same_idempotency_key_answers_without_the_key_and_adds_no_one()
    {
        var name = NewName();
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var first = await Api.Post("/api/users", new { name, role = "reviewer" }, LedgerApi.Admin, headers);
        first.Status.ShouldBe(201, first.Body);
        var key = first.Json.GetProperty("key").GetString()!;
        var repeat = await Api.Post("/api/users", new { name, role = "reviewer" }, LedgerApi.Admin, headers);
        repeat.Status.ShouldBe(201, repeat.Body);
        repeat.Json.GetProperty("keyId").GetGuid().ShouldBe(first.Json.GetProperty("keyId").GetGuid());
        repeat.Json.TryGetProperty("key", out _).ShouldBeFalse();
        repeat.Body.ShouldNotContain(key[4..]);
        (await Api.ScalarAsync("select count(*) from claimledger.mt_events where stream_id = @id", ("id", UserAccount.StreamIdOf(name)))).ShouldBe(2);
    }

    [Theory]
    [InlineData(LedgerApi.Checker)]
    [InlineData(LedgerApi.Reviewer)]
    [InlineData(LedgerApi.Auditor)]
    public async Task Every_route_is_403_for_a_role_other_than_admin_and_401_without_a_key(string user)
    {
        var name = NewName();
        await Add(name, "checker");
        foreach (var who in new[] { user, null })
        {
            var expected = who is null ? 401 : 403;
            (await Api.Get("/api/users", who)).Status.ShouldBe(expected);
            (await Api.Post("/api/users", new { name = NewName(), role = "admin" }, who)).Status.ShouldBe(expected);
            (await Api.Post($"/api/users/{name}/keys", null, who)).Status.ShouldBe(expected);
            (await Api.Post($"/api/users/{name}/role", new { role = "admin" }, who)).Status.ShouldBe(expected);
            (await Api.Send(HttpMethod.Delete, $"/api/users/{name}/keys/{Guid.NewGuid()}", null, who)).Status.ShouldBe(expected);
        }
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field()
    {
        var name = NewName();
        await Add(name, "checker");
        async Task Expect(Task<ApiResponse> request, int status, string field)
        {
            var r = await request;
            r.Status.ShouldBe(status, r.Body);
            r.ContentType.ShouldBe("application/problem+json");
            r.ProblemField.ShouldBe(field);
        }
        await Expect(Api.Post("/api/users", new { role = "checker" }, LedgerApi.Admin), 400, "name");
        await Expect(Api.Post("/api/users", new { name = NewName() }, LedgerApi.Admin), 400, "role");
        await Expect(Api.Post("/api/users", new { name = NewName(), role = "editor" }, LedgerApi.Admin), 400, "role");
        await Expect(Api.Post("/api/users", new { name = "bad\u0001name", role = "checker" }, LedgerApi.Admin), 400, "name");
        await Expect(Api.Post("/api/users", new { name = "\u0421hlo\u00e9", role = "checker" }, LedgerApi.Admin), 422, "name");
        await Expect(Api.Post("/api/users", new { name, role = "checker" }, LedgerApi.Admin), 409, "name");
        await Expect(Api.Post($"/api/users/{name}/role", new { role = "boss" }, LedgerApi.Admin), 400, "role");
        await Expect(Api.Post($"/api/users/{name}/role", new { }, LedgerApi.Admin), 400, "role");
        await Expect(Api.Post($"/api/users/{name}/role", new { role = "checker" }, LedgerApi.Admin), 409, "role");
        await Expect(Api.Send(HttpMethod.Delete, $"/api/users/{name}/keys/not-a-guid", null, LedgerApi.Admin), 400, "keyId");
    }

    [Fact]
    public async Task An_unknown_user_or_key_is_404_naming_it()
    {
        var name = NewName();
        await Add(name, "checker");
        var nobody = NewName();
        foreach (var request in new[]
                 {
                     Api.Post($"/api/users/{nobody}/keys", null, LedgerApi.Admin),
                     Api.Post($"/api/users/{nobody}/role", new { role = "auditor" }, LedgerApi.Admin),
                     Api.Send(HttpMethod.Delete, $"/api/users/{nobody}/keys/{Guid.NewGuid()}", null, LedgerApi.Admin),
                 })
        {
            var r = await request;
            r.Status.ShouldBe(404, r.Body);
            r.ProblemField.ShouldBe("name");
        }
        // A key of another user is not this user's key.
        var (_, othersKey) = await Add(NewName(), "checker");
        var notHis = await Api.Send(HttpMethod.Delete, $"/api/users/{name}/keys/{othersKey}", null, LedgerApi.Admin);
        notHis.Status.ShouldBe(404, notHis.Body);
        notHis.ProblemField.ShouldBe("keyId");
    }
}
