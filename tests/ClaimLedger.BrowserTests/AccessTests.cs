using ClaimLedger.Access;
using ClaimLedger.BrowserTests.Support;
using Microsoft.Playwright;

namespace ClaimLedger.BrowserTests;

/// <summary>Signing in and out, what each role is offered, and the review queue's four eyes.</summary>
[Collection(AppCollection.Name)]
public class AccessTests(AppFixture app)
{
    [Fact]
    public async Task Signing_out_forgets_the_key_which_lived_only_in_the_tabs_session_storage()
    {
        await using var p = await app.SignInAsync(AppFixture.Checker);
        (await p.Page.EvaluateAsync<string>("() => sessionStorage.getItem('claimledger.key')")).ShouldBe(app.Keys[AppFixture.Checker]);
        (await p.Page.EvaluateAsync<int>("() => localStorage.length")).ShouldBe(0);
        (await p.Context.CookiesAsync()).ShouldBeEmpty();
        p.Page.Url.ShouldNotContain(app.Keys[AppFixture.Checker]);

        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(p.Page.GetByLabel("API key")).ToBeVisibleAsync();
        (await p.Page.EvaluateAsync<int>("() => sessionStorage.length")).ShouldBe(0);
    }

    [Fact]
    public async Task A_key_that_is_not_valid_is_refused_at_sign_in_in_words()
    {
        await using var p = await app.OpenAsync();
        await p.Page.GotoAsync(app.BaseUrl + "/");
        await p.Page.GetByLabel("API key").FillAsync("clk_not-a-key");
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(p.Main.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This API key is not valid: it is unknown or was revoked.");
    }

    [Fact]
    public async Task A_revoked_key_is_signed_out_with_a_message()
    {
        var user = await app.NewUserAsync(Roles.Checker);
        await using var p = await app.SignInAsync(user);
        await p.GoAsync("/figures");
        // An admin revokes the key through the API, as the users page does.
        using (var admin = app.As(AppFixture.Admin))
        {
            var account = (await admin.GetJsonAsync("/api/users")).EnumerateArray()
                .Single(u => u.GetProperty("name").GetString() == user);
            foreach (var key in account.GetProperty("keys").EnumerateArray())
                (await admin.DeleteAsync($"/api/users/{user}/keys/{key.GetProperty("keyId").GetString()}")).EnsureSuccessStatusCode();
        }
        // Once the API's key cache hears of it, the next request is refused, and the page signs out.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !await p.Page.GetByLabel("API key").IsVisibleAsync())
        {
            await p.Page.EvaluateAsync("() => { location.hash = location.hash === '#/sources' ? '#/figures' : '#/sources'; }");
            await p.Page.WaitForTimeoutAsync(500);
        }
        await Assertions.Expect(p.Main.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your API key was refused (it was revoked, or it is unknown): you have been signed out.");
        (await p.Page.EvaluateAsync<int>("() => sessionStorage.length")).ShouldBe(0);
    }

    [Fact]
    public async Task What_a_role_may_not_do_the_page_does_not_offer()
    {
        var claim = $"/claims/{app.Seed.Claims["violence_since_2020"]}";
        await using (var auditor = await app.SignInAsync(AppFixture.Auditor))
        {
            await auditor.GoAsync(claim);
            await Assertions.Expect(auditor.Main.GetByRole(AriaRole.Link, new() { Name = "Verify this claim in this browser" })).ToBeVisibleAsync();
            (await auditor.Main.Locator("details.action").CountAsync()).ShouldBe(0);
            (await auditor.Page.Locator("#nav a").AllTextContentsAsync()).ShouldBe(["Figures", "Claims", "Sources", "Audit"]);
        }
        await using (var checker = await app.SignInAsync(AppFixture.Checker))
        {
            await checker.GoAsync(claim);
            await Assertions.Expect(checker.Main.Locator("details.action summary")).ToHaveTextAsync(["Attach evidence", "Open a dispute", "Correct the claim", "Retract (the source withdrew it)"]);
            (await checker.Page.Locator("#nav a").AllTextContentsAsync()).ShouldBe(["Figures", "Claims", "Sources"]);
            await checker.GoAsync("/audit");
            (await checker.Main.Locator("h1").TextContentAsync()).ShouldBe("Not for your role");
        }
        await using (var reviewer = await app.SignInAsync(AppFixture.Reviewer))
        {
            // Its own claim: no verdict offered (four eyes), and the page says who decides.
            await reviewer.GoAsync($"/claims/{app.Seed.Claims["civilian_deaths_civil_defence"]}");
            await Assertions.Expect(reviewer.Main.GetByText("You submitted this claim: another reviewer records its verdict.")).ToBeVisibleAsync();
            (await reviewer.Main.Locator("details.action summary").AllTextContentsAsync()).ShouldNotContain("Record a verdict");
            // A dispute it did not open: it may resolve it.
            await reviewer.GoAsync($"/claims/{app.Seed.Claims["distance"]}");
            await Assertions.Expect(reviewer.Main.Locator("details.action summary").First).ToHaveTextAsync("Resolve the dispute");
        }
        await using (var admin = await app.SignInAsync(AppFixture.Admin))
        {
            (await admin.Page.Locator("#nav a").AllTextContentsAsync()).ShouldBe(["Users and keys"]);
            await admin.GoAsync("/figures");
            (await admin.Main.Locator("h1").TextContentAsync()).ShouldBe("Not for your role");
        }
    }

    [Fact]
    public async Task The_review_queue_shows_what_the_reviewer_may_decide_oldest_first_and_hides_its_own_claims()
    {
        await using var p = await app.SignInAsync(AppFixture.Reviewer);
        await p.GoAsync("/reviews");
        var rows = p.Main.Locator("#queue tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        var claims = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.claim)");
        // The dispute another reviewer opened is there; the claim this reviewer submitted is not.
        claims.ShouldContain(app.Seed.Claims["distance"].ToString());
        claims.ShouldNotContain(app.Seed.Claims["civilian_deaths_civil_defence"].ToString());
        (await p.Main.Locator("#queue tbody tr", new() { HasText = "a dispute to resolve" }).CountAsync()).ShouldBe(1);

        await using var other = await app.SignInAsync(AppFixture.OtherReviewer);
        await other.GoAsync("/reviews");
        var theirs = await other.Main.Locator("#queue tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.claim)");
        theirs.ShouldContain(app.Seed.Claims["civilian_deaths_civil_defence"].ToString());
        theirs.ShouldNotContain(app.Seed.Claims["distance"].ToString());
    }

    [Fact]
    public async Task An_admin_adds_a_user_sees_its_key_once_and_revokes_it_and_the_revoked_key_is_signed_out()
    {
        await using var admin = await app.SignInAsync(AppFixture.Admin);
        await admin.GoAsync("/users");
        var name = $"browser-{Guid.NewGuid():N}"[..16];
        await admin.Page.GetByLabel("Name").FillAsync(name);
        await admin.Page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("checker");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Add the user and issue a key" }).ClickAsync();
        var key = await admin.Page.Locator("#issued-key").InputValueAsync();
        key.ShouldStartWith("clk_");
        app.Keys[name] = key;

        await using var user = await app.SignInAsync(name);
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await admin.Page.Locator($"tr[data-user='{name}'] button", new() { HasText = "Revoke" }).ClickAsync();
        await Assertions.Expect(admin.Main.GetByText($"of {name} revoked.")).ToBeVisibleAsync();
        (await admin.Main.InnerTextAsync()).ShouldNotContain(key);

        await user.Page.EvaluateAsync("() => { location.hash = '#/sources'; }");
        await Assertions.Expect(user.Main.GetByRole(AriaRole.Alert)).ToContainTextAsync("you have been signed out", new() { Timeout = 5_000 });
    }
}
