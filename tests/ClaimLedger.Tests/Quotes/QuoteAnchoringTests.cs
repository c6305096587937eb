using ClaimLedger.Quotes;
using ClaimLedger.Local;

namespace ClaimLedger.Tests.Quotes;

public class QuoteAnchoringTests
{
    private static readonly string Article = DemoData.ArticleText();

    [Fact]
    public void A_verbatim_quote_is_anchored_at_its_offsets()
    {
        const string quote = "Les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils.";
        var anchor = QuoteAnchoring.Find(Article, quote).ShouldNotBeNull();
        Article[anchor.Start..anchor.End].ShouldBe(quote);
    }

    [Fact]
    public void The_typo_is_part_of_the_verbatim_text()
    {
        QuoteAnchoring.Find(Article, "cette attaqude fulgurante").ShouldNotBeNull();
        QuoteAnchoring.Find(Article, "cette attaque fulgurante").ShouldBeNull();
    }

    [Fact]
    public void A_straight_apostrophe_finds_a_typographic_one_and_the_anchor_keeps_the_original()
    {
        var anchor = QuoteAnchoring.Find(Article, "la prise d'une cinquantaine de localités").ShouldNotBeNull();
        Article[anchor.Start..anchor.End].ShouldBe("la prise d’une cinquantaine de localités");
    }

    [Fact]
    public void Runs_of_white_space_and_no_break_spaces_fold_to_one_space()
    {
        var anchor = QuoteAnchoring.Find(Article, "plus de 14\u202F000   personnes").ShouldNotBeNull();
        Article[anchor.Start..anchor.End].ShouldBe("plus de 14 000 personnes");
        QuoteAnchoring.Find("a\u00A0 \n b", "a b").ShouldBe(new QuoteAnchor(0, 6));
    }

    [Fact]
    public void Quotation_mark_variants_fold_together()
    {
        QuoteAnchoring.Find(Article, "appelé les autorités syriennes à «mettre de l’ordre»").ShouldNotBeNull();
        QuoteAnchoring.Find(Article, "appelé les autorités syriennes à “mettre de l'ordre”").ShouldNotBeNull();
    }

    [Fact]
    public void Decomposed_accents_match_composed_ones_after_NFC()
    {
        var decomposed = "re\u0301sidence universitaire"; // e + combining acute
        var anchor = QuoteAnchoring.Find(Article, decomposed).ShouldNotBeNull();
        Article[anchor.Start..anchor.End].ShouldBe("résidence universitaire");
        var composedQuote = "résidence";
        var decomposedText = "la re\u0301sidence";
        var a = QuoteAnchoring.Find(decomposedText, composedQuote).ShouldNotBeNull();
        decomposedText[a.Start..a.End].ShouldBe("re\u0301sidence");
    }

    [Fact]
    public void The_modifier_letter_of_13e_is_kept_as_written()
    {
        QuoteAnchoring.Find(Article, "entre dans sa 13ᵉ année").ShouldNotBeNull();
        QuoteAnchoring.Find(Article, "entre dans sa 14ᵉ année").ShouldBeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("242 morts")]
    public void A_quote_that_is_not_there_is_not_anchored(string quote) =>
        QuoteAnchoring.Find(Article, quote).ShouldBeNull();

    [Fact]
    public void A_lone_surrogate_never_throws()
    {
        QuoteAnchoring.Find("abc\uD800def", "\uD800d").ShouldNotBeNull();
        QuoteAnchoring.Find("abc", "\uDC00").ShouldBeNull();
    }
}

public class QuoteAnchoringCostTests
{
    /// <summary>
    /// One grapheme of a million combining marks of two alternating classes: NFC reorders such a run by insertion, so
    /// normalising it whole took time quadratic in its length (28 s at 160,000 marks, about 80 minutes at 2 MiB).
    /// Anchoring is linear now; the guard is a thousand times what it takes, a complexity check, not a measurement.
    /// </summary>
    [Fact]
    public async Task A_text_of_a_million_combining_marks_is_anchored_in_linear_time()
    {
        var marks = string.Concat(Enumerable.Repeat("\u0301\u0316", 500_000));
        var text = "Fin. a" + marks + " fin.";
        var anchoring = Task.Run(() => QuoteAnchoring.Find(text, "Fin."));
        var finished = await Task.WhenAny(anchoring, Task.Delay(TimeSpan.FromSeconds(60)));
        finished.ShouldBe(anchoring, "anchoring a quote in a text of combining marks did not finish in a minute");
        (await anchoring).ShouldBe(new QuoteAnchor(0, 4));
        QuoteAnchoring.Find(text, "fin.").ShouldBe(new QuoteAnchor(text.Length - 4, text.Length));
    }

    [Fact]
    public void Marks_of_a_long_run_are_still_found_in_their_canonical_order()
    {
        // Under 31 marks NFC orders them (class 220 before 230); the quote may give them in either order.
        var text = "x a\u0301\u0316 y";
        QuoteAnchoring.Find(text, "a\u0316\u0301").ShouldBe(new QuoteAnchor(2, 5));
    }
}
