using ClaimLedger.BrowserTests.Support;
using ClaimLedger.Local;
using Microsoft.Playwright;

namespace ClaimLedger.BrowserTests;

/// <summary>Writing through the pages: a claim from a selection, refusals in words, hostile text kept as text.</summary>
[Collection(AppCollection.Name)]
public class ClaimWritingTests(AppFixture app)
{
    /// <summary>Selects the characters [start, end) of the element's text, across its text nodes, as a mouse would.</summary>
    private const string SelectText = """
        ([selector, start, end]) => {
          const box = document.querySelector(selector);
          const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          let seen = 0, node;
          while ((node = walker.nextNode())) {
            const n = node.textContent.length;
            if (start >= seen && start <= seen + n) range.setStart(node, start - seen);
            if (end >= seen && end <= seen + n) { range.setEnd(node, end - seen); break; }
            seen += n;
          }
          const sel = document.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          box.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
        }
        """;

    [Fact]
    public async Task A_claim_submitted_from_a_text_selection_lands_with_the_anchor_of_the_selection()
    {
        await using var p = await app.SignInAsync(AppFixture.Checker);
        await p.GoAsync($"/sources/{app.Seed.SourceId}");
        const string phrase = "cette nouvelle crise illustre la complexité des dynamiques sur le terrain";
        var start = DemoData.ArticleText().IndexOf(phrase, StringComparison.Ordinal);
        await p.Page.EvaluateAsync(SelectText, new object[] { "#source-text", start, start + phrase.Length });

        (await p.Page.GetByLabel("Quote", new() { Exact = true }).InputValueAsync()).ShouldBe(phrase);
        await Assertions.Expect(p.Main.Locator("#anchor-note")).ToHaveTextAsync($"Anchor: characters {start}–{start + phrase.Length} of the text.");
        await p.Page.GetByLabel("Originator (who said it)").FillAsync("Article (unattributed)");
        await p.Page.GetByLabel("From").FillAsync("2024-11-29");
        await p.Page.GetByRole(AriaRole.Button, new() { Name = "Submit the claim" }).ClickAsync();

        await p.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("#/claims/[0-9a-f-]{36}$"));
        var id = p.Page.Url[^36..];
        using var http = app.As(AppFixture.Checker);
        var claim = await http.GetJsonAsync($"/api/claims/{id}");
        claim.GetProperty("anchor").GetProperty("start").GetInt32().ShouldBe(start);
        claim.GetProperty("anchor").GetProperty("end").GetInt32().ShouldBe(start + phrase.Length);
        claim.GetProperty("quote").GetString().ShouldBe(phrase);
        claim.GetProperty("validFrom").GetString()!.ShouldStartWith("2024-11-29");
        (await p.Main.Locator("mark#anchor").TextContentAsync()).ShouldBe(phrase);
        p.Errors.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_refusal_is_shown_in_words_a_quote_not_in_the_source_and_a_claim_changed_meanwhile()
    {
        var claimId = app.Seed.Claims["violence_since_2020"];
        await using var p = await app.SignInAsync(AppFixture.OtherReviewer);
        await p.GoAsync($"/claims/{claimId}");

        await p.Main.Locator("summary", new() { HasText = "Attach evidence" }).ClickAsync();
        var evidence = p.Main.Locator("form[data-action=evidence]");
        await evidence.GetByLabel("Quote from that source").FillAsync("a sentence the article never wrote");
        await evidence.GetByLabel("Supports the claim").CheckAsync();
        await evidence.GetByLabel("Note").FillAsync("checking");
        await evidence.GetByRole(AriaRole.Button, new() { Name = "Attach evidence" }).ClickAsync();
        await Assertions.Expect(evidence.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not accepted (422): quote: the quote does not occur in the text of the source");

        // Someone else acts on the claim while the page is open: the verdict is refused, and the page says why.
        using (var http = app.As(AppFixture.Checker))
            await http.PostAsync($"/api/claims/{claimId}/evidence", new { sourceId = app.Seed.SourceId, stance = "supports", note = "meanwhile" });
        await p.Main.Locator("summary", new() { HasText = "Record a verdict" }).ClickAsync();
        var verdict = p.Main.Locator("form[data-action=verdict]");
        await verdict.GetByLabel("Verdict").SelectOptionAsync("misleading");
        await verdict.GetByLabel("Note").FillAsync("The article contradicts itself on the date.");
        await verdict.GetByRole(AriaRole.Button, new() { Name = "Record a verdict" }).ClickAsync();
        await Assertions.Expect(verdict.GetByRole(AriaRole.Alert)).ToContainTextAsync("Changed meanwhile (412): the claim changed since this page was loaded");
    }

    [Fact]
    public async Task A_hostile_quote_appears_as_text_and_runs_nothing()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        const string originator = "<script>alert(2)</script>";
        using var http = app.As(AppFixture.Checker);
        var source = await http.PostAsync("/api/sources", new
        {
            title = $"Hostile {hostile}", outlet = "<b>bold</b>", language = "en", publishedAt = "2024-11-29",
            text = $"They wrote {hostile} in the page.", url = "https://example.org/\"><img src=x onerror=alert(3)>",
        });
        var claim = await http.PostAsync("/api/claims", new { sourceId = source.GetProperty("id").GetGuid(), quote = hostile, attributedTo = originator });

        await using var p = await app.SignInAsync(AppFixture.Checker);
        await p.GoAsync($"/claims/{claim.GetProperty("id").GetGuid()}");
        (await p.Main.Locator("blockquote.quote").First.TextContentAsync()).ShouldBe(hostile);
        (await p.Main.Locator("mark#anchor").TextContentAsync()).ShouldBe(hostile);
        (await p.Main.Locator("h1").TextContentAsync())!.ShouldContain(originator);
        await p.GoAsync($"/sources/{source.GetProperty("id").GetGuid()}");
        (await p.Main.Locator("h1").TextContentAsync()).ShouldBe($"Hostile {hostile}");
        (await p.Main.Locator("a[href^='javascript']").CountAsync()).ShouldBe(0);
        await p.Page.WaitForTimeoutAsync(300);
        (await p.Page.Locator("img, script:not([src]), b").CountAsync()).ShouldBe(0);
        p.Dialogs.ShouldBeEmpty();
        p.Errors.ShouldBeEmpty();
    }
}
