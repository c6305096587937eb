using ClaimLedger.Audit.Notes;
using ClaimLedger.BrowserTests.Support;
using Microsoft.Playwright;
using Npgsql;

namespace ClaimLedger.BrowserTests;

/// <summary>
/// "Verify in this browser": WebCrypto, the pinned log verifier key, the checkpoint's signed note (Ed25519), leaf hashes,
/// inclusion proofs to the note's root, and the witnesses that cosigned it.
/// </summary>
[Collection(AppCollection.Name)]
public class VerificationTests(AppFixture app)
{
    private async Task<AppPage> AuditorWithPinnedKeysAsync(Guid claim, string logKey, params string[] witnessKeys)
    {
        var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync("/audit");
        await p.Page.GetByLabel("Log verifier key").FillAsync(logKey);
        await p.Page.GetByLabel("Witness verifier keys (optional, one a line)").FillAsync(string.Join('\n', witnessKeys));
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Pin these keys" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#pin-status")).ToContainTextAsync("Keys pinned");
        await p.GoAsync($"/audit?claim={claim}");
        return p;
    }

    private static ILocator Step(AppPage p, string text) => p.Main.Locator("#verify-steps > li", new() { HasText = text });

    /// <summary>A log key of the same name as the log's, but another key: its key ID differs.</summary>
    private static string OtherKeyOf(string name)
    {
        using var key = PemKeys.NewEd25519();
        return new NoteSigner(name, NoteKeyTypes.Ed25519, key).Verifier.Encoded;
    }

    /// <summary>
    /// Until the latest signed checkpoint covers every event so far (checkpoints follow within a second here) and, when
    /// <paramref name="cosigned"/>, carries the witness's cosignature.
    /// </summary>
    private async Task WaitForCheckpointAsync(bool cosigned = false)
    {
        using var http = app.As(AppFixture.Auditor);
        await using var conn = await app.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("select count(*) from claimledger.mt_events where type <> 'tombstone'", conn);
        var events = (long)(await count.ExecuteScalarAsync())!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var latest = await http.GetJsonAsync("/api/audit/checkpoints/latest");
            if (latest.GetProperty("treeSize").GetInt64() >= events &&
                (!cosigned || latest.GetProperty("note").GetString()!.Contains($"\n\u2014 {AppFixture.WitnessName} "))) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"no checkpoint of {events} events{(cosigned ? ", cosigned," : "")} within 30 s");
    }

    [Fact]
    public async Task Without_a_pinned_key_the_page_says_so_instead_of_verifying()
    {
        await using var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync($"/audit?claim={app.Seed.Claims["deaths_osdh"]}");
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-steps li").First).ToContainTextAsync("✓ This page is a secure context with WebCrypto");
        await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("no log verifier key is pinned");
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
    }

    [Fact]
    public async Task Over_plain_HTTP_under_another_name_than_localhost_the_page_says_it_cannot_verify()
    {
        // A name that resolves to the loopback but is not "localhost": plain HTTP there is no secure context, so no WebCrypto.
        await using var browser = await app.LaunchAsync("--host-resolver-rules=MAP insecure.test 127.0.0.1");
        var context = await browser.NewContextAsync();
        await using var p = new AppPage(app, context, await context.NewPageAsync());
        await p.Page.GotoAsync($"http://insecure.test:{app.Api.Port}/");
        await p.Page.GetByLabel("API key").FillAsync(app.Keys[AppFixture.Auditor]);
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await p.Page.GetByText("Signed in as").WaitForAsync();
        (await p.Page.EvaluateAsync<bool>("window.isSecureContext")).ShouldBeFalse();
        await p.Page.GotoAsync($"http://insecure.test:{app.Api.Port}/#/audit?claim={app.Seed.Claims["deaths_osdh"]}");
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("✗ This page is a secure context with WebCrypto");
        await Assertions.Expect(p.Main.Locator("#verify-steps li.bad")).ToContainTextAsync("Open it over HTTPS");
        (await p.Main.Locator("#verify-steps li").CountAsync()).ShouldBe(1);
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
    }

    [Fact]
    public async Task A_key_that_is_not_a_verifier_key_is_not_pinned()
    {
        await using var p = await app.SignInAsync(AppFixture.Auditor);
        await p.GoAsync("/audit");
        var key = app.LogVerifierKey;
        // The key ID of another name: the page recomputes it from the name and the key.
        await p.Page.GetByLabel("Log verifier key").FillAsync("other.example/log" + key[key.IndexOf('+')..]);
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Pin these keys" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#pin-status")).ToContainTextAsync("Not pinned. Log verifier key: the key ID of this name and key is");
        (await p.Page.EvaluateAsync<string?>("localStorage.getItem('claimledger.logVerifierKey')")).ShouldBeNull();
    }

    [Fact]
    public async Task A_pinned_key_that_did_not_sign_the_checkpoint_fails_the_signature_step()
    {
        await WaitForCheckpointAsync();
        await using var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["deaths_osdh"], OtherKeyOf(AppFixture.Origin));
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(Step(p, "The checkpoint is signed by the pinned log key")).ToHaveClassAsync("bad");
        await Assertions.Expect(Step(p, "The checkpoint is signed by the pinned log key")).ToContainTextAsync("the pinned key’s ID is");
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
    }

    [Fact]
    public async Task A_key_of_another_log_fails_the_signature_step()
    {
        await WaitForCheckpointAsync();
        await using var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["deaths_osdh"], OtherKeyOf("other.example/log"));
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(Step(p, "The checkpoint is signed by the pinned log key"))
            .ToContainTextAsync($"the checkpoint is of the log “{AppFixture.Origin}”, the pinned key is of “other.example/log”");
    }

    [Fact]
    public async Task Verification_in_the_browser_passes_on_an_untouched_ledger()
    {
        await WaitForCheckpointAsync();
        await using var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["war_thirteenth_year"], app.LogVerifierKey);
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
        await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✓ Verified in this browser", new() { Timeout = 30_000 });
        (await p.Main.Locator("#verify-steps li.bad").CountAsync()).ShouldBe(0);
        // Secure context, keys, note, signature, witnesses, events read; then each of the three events' hash and proof.
        (await p.Main.Locator("#verify-steps > li.ok").CountAsync()).ShouldBe(6 + 2 * 3);
        await Assertions.Expect(Step(p, "The checkpoint is signed by the pinned log key")).ToContainTextAsync($"Ed25519 signature of {AppFixture.Origin}");
        await Assertions.Expect(Step(p, "inclusion proof leads to the signed root and size").First).ToContainTextAsync("up to the note’s root");
    }

    [Fact]
    public async Task The_cosigning_witness_is_named_and_its_cosignature_checked_when_its_key_is_pinned()
    {
        await WaitForCheckpointAsync(cosigned: true);
        await using (var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["war_thirteenth_year"], app.LogVerifierKey, app.WitnessVerifierKey))
        {
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
            await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✓ Verified in this browser", new() { Timeout = 30_000 });
            await Assertions.Expect(Step(p, "Witnesses that cosigned the checkpoint")).ToContainTextAsync("1 cosigned, 1 verified with a pinned key");
            await Assertions.Expect(p.Main.Locator("ul.witnesses li.ok")).ToContainTextAsync($"✓ {AppFixture.WitnessName}: cosignature verified, cosigned at 20");
        }
        await using (var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["war_thirteenth_year"], app.LogVerifierKey))
        {
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
            await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✓ Verified in this browser", new() { Timeout = 30_000 });
            await Assertions.Expect(p.Main.Locator("ul.witnesses li")).ToHaveTextAsync($"– {AppFixture.WitnessName}: not checked: key not pinned");
        }
    }

    [Fact]
    public async Task A_cosignature_changed_in_SQL_fails_against_the_pinned_witness_key()
    {
        await WaitForCheckpointAsync(cosigned: true);
        const string latest = "tree_size = (select max(tree_size) from claimledger.ledger_checkpoints)";
        string before;
        await using (var conn = await app.OpenDatabaseAsync())
        {
            await using var read = new NpgsqlCommand($"select line from claimledger.ledger_cosignatures where {latest}", conn);
            before = (string)(await read.ExecuteScalarAsync())!;
            // The last byte of the Ed25519 signature, flipped: still a well-formed cosignature line.
            var space = before.LastIndexOf(' ');
            var bytes = Convert.FromBase64String(before[(space + 1)..]);
            bytes[^1] ^= 1;
            await using var edit = new NpgsqlCommand($"update claimledger.ledger_cosignatures set line = @line where {latest}", conn);
            edit.Parameters.AddWithValue("line", before[..(space + 1)] + Convert.ToBase64String(bytes));
            (await edit.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        try
        {
            await using var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["war_thirteenth_year"], app.LogVerifierKey, app.WitnessVerifierKey);
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
            await Assertions.Expect(Step(p, "Witnesses that cosigned the checkpoint")).ToHaveClassAsync("bad");
            await Assertions.Expect(p.Main.Locator("ul.witnesses li.bad")).ToContainTextAsync($"✗ {AppFixture.WitnessName}: the cosignature does not verify with the pinned key");
            await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
        }
        finally
        {
            await using var conn = await app.OpenDatabaseAsync();
            await using var undo = new NpgsqlCommand($"update claimledger.ledger_cosignatures set line = @line where {latest}", conn);
            undo.Parameters.AddWithValue("line", before);
            await undo.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_checkpoint_root_changed_in_SQL_fails_the_Ed25519_signature()
    {
        await WaitForCheckpointAsync();
        const string latest = "(select max(tree_size) from claimledger.ledger_checkpoints)";
        await using (var conn = await app.OpenDatabaseAsync())
        await using (var edit = new NpgsqlCommand($"update claimledger.ledger_checkpoints set root_hash = set_byte(root_hash, 0, get_byte(root_hash, 0) # 1) where tree_size = {latest}", conn))
            (await edit.ExecuteNonQueryAsync()).ShouldBe(1);
        try
        {
            await using var p = await AuditorWithPinnedKeysAsync(app.Seed.Claims["deaths_osdh"], app.LogVerifierKey);
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
            await Assertions.Expect(Step(p, "The checkpoint is signed by the pinned log key")).ToContainTextAsync("the Ed25519 signature does not verify over the note’s text");
            await Assertions.Expect(p.Main.Locator("#verify-result")).ToContainTextAsync("✗ Not verified");
        }
        finally
        {
            await using var conn = await app.OpenDatabaseAsync();
            await using var undo = new NpgsqlCommand($"update claimledger.ledger_checkpoints set root_hash = set_byte(root_hash, 0, get_byte(root_hash, 0) # 1) where tree_size = {latest}", conn);
            await undo.ExecuteNonQueryAsync();
        }
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
            await using var p = await AuditorWithPinnedKeysAsync(claim, app.LogVerifierKey);
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Verify in this browser" }).ClickAsync();
            await Assertions.Expect(Step(p, "The checkpoint is signed by the pinned log key")).ToHaveClassAsync("ok");
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
