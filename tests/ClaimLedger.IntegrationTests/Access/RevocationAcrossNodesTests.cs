using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Reliability;

namespace ClaimLedger.IntegrationTests.Access;

/// <summary>Two API processes on one database: a key revoked or a role changed on one is acted on by both within a second.</summary>
public class RevocationAcrossNodesTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static async Task<HttpStatusCode> Read(ApiProcess node, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sources?limit=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await node.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> Write(ApiProcess node, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sources")
        {
            Content = JsonContent.Create(new { title = "t", outlet = "o", language = "fr", publishedAt = "2024-11-29" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await node.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_key_revoked_on_one_node_is_refused_on_both_within_a_second_and_no_log_line_holds_a_key()
    {
        // Information, as nodes run: every line a node writes is checked for the keys below.
        var settings = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" };
        await using var one = await ApiProcess.StartAsync(Api.ConnectionString, Api.SigningKeyPem, Api.Keys[LedgerApi.Admin], settings);
        await using var two = await ApiProcess.StartAsync(Api.ConnectionString, Api.SigningKeyPem, Api.Keys[LedgerApi.Admin], settings);

        var name = $"node-{Guid.NewGuid():N}"[..14];
        var added = await one.Http.PostAsJsonAsync("/api/users", new { name, role = "checker" });
        added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await added.Content.ReadAsStringAsync());
        var key = body.RootElement.GetProperty("key").GetString()!;
        var keyId = body.RootElement.GetProperty("keyId").GetGuid();

        // Both nodes have looked the key up and keep it: only hearing of the change can make them refuse it in time.
        foreach (var node in new[] { one, two })
        {
            (await Read(node, key)).ShouldBe(HttpStatusCode.OK);
            (await Write(node, key)).ShouldBe(HttpStatusCode.Created);
        }

        var role = await two.Http.PostAsJsonAsync($"/api/users/{name}/role", new { role = "auditor" });
        role.StatusCode.ShouldBe(HttpStatusCode.OK, await role.Content.ReadAsStringAsync());
        var changed = Stopwatch.StartNew();
        foreach (var node in new[] { one, two })
            await Eventually.WithinAsync(async () => await Write(node, key) == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(1) - changed.Elapsed, "the new role");
        (await Read(one, key)).ShouldBe(HttpStatusCode.OK);

        var revoked = await one.Http.DeleteAsync($"/api/users/{name}/keys/{keyId}");
        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent, await revoked.Content.ReadAsStringAsync());
        var since = Stopwatch.StartNew();
        foreach (var node in new[] { two, one })
            await Eventually.WithinAsync(async () => await Read(node, key) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(1) - since.Elapsed, "a 401");
        since.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));

        var listed = await two.Http.GetStringAsync("/api/users");
        var log = string.Join('\n', one.Output.Concat(two.Output));
        log.ShouldNotBeEmpty();
        foreach (var secret in new[] { key, key[8..], ApiKeys.Hash(key), Api.Keys[LedgerApi.Admin][8..], ApiKeys.Hash(Api.Keys[LedgerApi.Admin]) })
        {
            log.ShouldNotContain(secret);
            listed.ShouldNotContain(secret);
        }
    }
}
