using ClaimLedger.BrowserTests.Support;
using Microsoft.Playwright;
using Npgsql;

namespace ClaimLedger.BrowserTests;

/// <summary>"Verify in this browser": WebCrypto, the pinned key, leaf hashes, inclusion proofs, the signed checkpoint.</summary>
[Collection(AppCollection.Name)]
public class VerificationTests(AppFixture app)
{
    private async Task<AppPage> AuditorWithPinnedKeyAsync(Guid claim)
    {
        var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync("/audit");
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            key.ImportFromPem(app.SigningKeyPem);
            await p.Page.GetByLabel("Public key (PEM)").FillAsync(key.ExportSubjectPublicKeyInfoPem());
        }
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Pin this key" }).ClickAsync();
        await p.GoAsync($"/audit?claim={claim}");
        return p;
    }

    /// <summary>Until the latest signed checkpoint covers every event so far (checkpoints follow within a second here).</summary>
    private async Task WaitForCheckpointAsync()
    {
        using var http = app.As(AppFixture.Auditor);
        await using var conn = await app.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("select count(*) from claimledger.mt_events where type <> 'tombstone'", conn);
        var events = (long)(await count.ExecuteScalarAsync())!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await http.GetJsonAsync("/api/audit/checkpoints/latest")).GetProperty("treeSize").GetInt64() < events && DateTime.UtcNow < deadline)
            await Task.Delay(200);
    }

    [Fact]
    public async Task Without_a_pinned_key_the_page_says_so_instead_of_verifying()
    {
        await using var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync($"/audit?claim={app.Seed.Claims["deaths_osdh"]}");
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-steps li").First).ToContainTextAsync("✓ This page is a secure context with WebCrypto");
        await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("the pinned key is not a PEM public key");
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
    }

    [Fact]
    public async Task A_pinned_key_that_did_not_sign_the_checkpoint_fails_the_signature_step()
    {
        await using var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync("/audit");
        using (var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
            await p.Page.GetByLabel("Public key (PEM)").FillAsync(other.ExportSubjectPublicKeyInfoPem());
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Pin this key" }).ClickAsync();
        await p.Page.GetByLabel("Claim id").FillAsync(app.Seed.Claims["deaths_osdh"].ToString());
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("The latest checkpoint is signed by the pinned key");
        await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("the pinned key is");
    }

    [Fact]
    public async Task The_checkpoints_signature_verifies_with_WebCrypto_against_the_pinned_key()
    {
        await WaitForCheckpointAsync();
        await using var p = await AuditorWithPinnedKeyAsync(app.Seed.Claims["deaths_osdh"]);
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-steps li", new() { HasText = "The latest checkpoint is signed by the pinned key" }))
            .ToHaveClassAsync("ok");
    }

    [Fact]
    public async Task Verification_in_the_browser_passes_on_an_untouched_ledger()
    {
        await WaitForCheckpointAsync();
        await using var p = await AuditorWithPinnedKeyAsync(app.Seed.Claims["war_thirteenth_year"]);
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✓ Verified in this browser", new() { Timeout = 30_000 });
        (await p.Main.Locator("#verify-steps li.bad").CountAsync()).ShouldBe(0);
        (await p.Main.Locator("#verify-steps li.ok").CountAsync()).ShouldBe(4 + 2 * 3);
    }

    [Fact]
    public async Task Verification_in_the_browser_fails_on_a_leaf_edited_in_SQL()
    {
        using var http = app.As(AppFixture.Checker);
        var source = await http.PostAsync("/api/sources", new { title = "To be tampered with", outlet = "test", language = "en", publishedAt = "2024-11-29", text = "It said 12 people." });
        var claim = (await http.PostAsync("/api/claims", new { sourceId = source.GetProperty("id").GetGuid(), quote = "12 people", attributedTo = "Someone" })).GetProperty("id").GetGuid();
        await WaitForCheckpointAsync();
        await using (var conn = await app.OpenDatabaseAsync())
        await using (var edit = new NpgsqlCommand(
            "update claimledger.mt_events set data = jsonb_set(data, '{attributedTo}', '\"Someone else\"') where stream_id = @id and version = 1", conn))
        {
            edit.Parameters.AddWithValue("id", claim);
            (await edit.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        try
        {
            await using var p = await AuditorWithPinnedKeyAsync(claim);
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
            await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("the event was changed after it was recorded", new() { Timeout = 30_000 });
            await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
        }
        finally
        {
            // The other tests share this ledger: the edit is undone, so that the whole ledger verifies again.
            await using var conn = await app.OpenDatabaseAsync();
            await using var undo = new NpgsqlCommand(
                "update claimledger.mt_events set data = jsonb_set(data, '{attributedTo}', '\"Someone\"') where stream_id = @id and version = 1", conn);
            undo.Parameters.AddWithValue("id", claim);
            await undo.ExecuteNonQueryAsync();
        }
    }
}
