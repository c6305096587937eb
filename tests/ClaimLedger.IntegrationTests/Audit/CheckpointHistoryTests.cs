using System.Security.Cryptography;
using System.Text.Json;
using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary><c>GET /api/audit/checkpoints</c> pages every signed checkpoint; events that are leaves carry <c>leafContent</c>.</summary>
public class CheckpointHistoryTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("checkpoints");

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Every_stored_checkpoint_is_paged_oldest_first_each_signed()
    {
        // Checkpoints are made as events arrive: three rounds of writes, each settled, make at least three.
        for (var round = 0; round < 3; round++)
        {
            await _api.Claim();
            await _api.SettleAsync();
        }
        var stored = await _api.ScalarAsync("select count(*) from claimledger.ledger_checkpoints");
        stored.ShouldBeGreaterThanOrEqualTo(3);

        var key = NoteVerifierKey.Parse((await _api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json.GetProperty("verifierKey").GetString(), out _)!;
        var history = new List<Checkpoint>();
        string? after = null;
        do
        {
            var r = await _api.Get("/api/audit/checkpoints?limit=2" + (after is null ? "" : $"&after={after}"), LedgerApi.Auditor);
            r.Status.ShouldBe(200, r.Body);
            var page = r.Json.GetProperty("items").Deserialize<List<Checkpoint>>(ClaimLedger.Web.JsonSetup.Options)!;
            page.Count.ShouldBeLessThanOrEqualTo(2);
            history.AddRange(page);
            after = r.Json.GetProperty("next").ValueKind == JsonValueKind.Null ? null : r.Json.GetProperty("next").GetString();
        } while (after != null);

        history.Count.ShouldBeGreaterThanOrEqualTo((int)stored);
        history.Select(c => c.TreeSize).ShouldBe(history.Select(c => c.TreeSize).Order().Distinct());
        history.Where(c => !key.Verifies(c.NoteText()!, c.LogSignature()!, out var _)).ShouldBeEmpty();
        var latest = (await _api.Get("/api/audit/checkpoints/latest", LedgerApi.Auditor)).Json.Deserialize<Checkpoint>(ClaimLedger.Web.JsonSetup.Options)!;
        history.ShouldContain(latest);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("after=%%%", "after")]
    [InlineData("after=garbage", "after")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        var r = await _api.Get($"/api/audit/checkpoints?{query}", LedgerApi.Auditor);
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task A_cursor_of_another_list_is_refused_and_an_admin_may_not_read_the_history()
    {
        await _api.Claim();
        await _api.Claim();
        var next = (await _api.Get("/api/claims?limit=1")).Json.GetProperty("next").GetString();
        var r = await _api.Get($"/api/audit/checkpoints?after={next}", LedgerApi.Auditor);
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe("after");
        (await _api.Get("/api/audit/checkpoints", LedgerApi.Admin)).Status.ShouldBe(403);
        (await _api.Get("/api/audit/checkpoints", user: null)).Status.ShouldBe(401);
    }

    [Fact]
    public async Task Leaf_content_is_the_bytes_whose_hash_is_the_leaf_hash_and_shows_an_edited_event()
    {
        var claim = await _api.Claim();
        (await _api.Post($"/api/claims/{claim}/evidence", new { sourceId = await _api.Source(), stance = "supports", note = "n" })).Status.ShouldBe(200);
        await _api.SettleAsync();

        var events = (await _api.Get($"/api/claims/{claim}/events", LedgerApi.Auditor)).Json.EnumerateArray().ToList();
        events.Count.ShouldBe(2);
        foreach (var e in events)
        {
            var content = Convert.FromBase64String(e.GetProperty("leafContent").GetString()!);
            Convert.ToHexStringLower(SHA256.HashData([0x00, .. content])).ShouldBe(e.GetProperty("leafHash").GetString());
            using var leaf = JsonDocument.Parse(content);
            leaf.RootElement.GetProperty("streamId").GetGuid().ShouldBe(claim);
            leaf.RootElement.GetProperty("version").GetInt64().ShouldBe(e.GetProperty("version").GetInt64());
            leaf.RootElement.GetProperty("type").GetString().ShouldBe(e.GetProperty("type").GetString());
            leaf.RootElement.GetProperty("actor").GetString().ShouldBe(LedgerApi.Checker);
        }

        // Made from the event as stored now: an event edited in the database no longer hashes to its leaf.
        await _api.ExecuteAsync($"update claimledger.mt_events set data = jsonb_set(data, '{{note}}', '\"edited\"') where stream_id = '{claim}' and version = 2");
        var edited = (await _api.Get($"/api/claims/{claim}/events", LedgerApi.Auditor)).Json[1];
        var now = Convert.FromBase64String(edited.GetProperty("leafContent").GetString()!);
        Convert.ToHexStringLower(SHA256.HashData([0x00, .. now])).ShouldNotBe(edited.GetProperty("leafHash").GetString());
    }

    [Fact]
    public async Task An_event_not_yet_a_leaf_has_no_leaf_content()
    {
        // The sequencer is held off by a lock on the ledger's leaves: the event is written, but not yet a leaf.
        await using var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var hold = new Npgsql.NpgsqlCommand("lock table claimledger.ledger_leaves in exclusive mode", conn, tx)) await hold.ExecuteNonQueryAsync();
        var claim = await _api.Claim();
        var e = (await _api.Get($"/api/claims/{claim}/events", LedgerApi.Auditor)).Json[0];
        foreach (var field in new[] { "leafIndex", "leafHash", "leafContent" })
            (!e.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null).ShouldBeTrue(field);
        await tx.RollbackAsync();
    }
}
