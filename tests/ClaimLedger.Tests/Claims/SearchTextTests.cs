using ClaimLedger.Claims.Searching;

namespace ClaimLedger.Tests.Claims;

/// <summary>Search folds case and accents in French and English, the same way for texts and queries.</summary>
public class SearchTextTests
{
    [Theory]
    [InlineData("L’Armée syrienne", new[] { "l", "armee", "syrienne" })]
    [InlineData("ARMÉE armée Armee", new[] { "armee" })]
    [InlineData("Œuvre, cœur et Æsop", new[] { "oeuvre", "coeur", "et", "aesop" })]
    [InlineData("Straße naïve façade", new[] { "strasse", "naive", "facade" })]
    [InlineData("sa 13ᵉ année", new[] { "sa", "13e", "annee" })]
    [InlineData("« Alep », dit-il.", new[] { "alep", "dit", "il" })]
    [InlineData("Chloe\u0301 and Chloé", new[] { "chloe", "and" })]
    [InlineData("ﬁnal ＦＵＬＬ", new[] { "final", "full" })]
    [InlineData("", new string[0])]
    [InlineData("!!! ... ---", new string[0])]
    public void Words_are_letters_and_digits_without_case_accents_or_compatibility_forms(string text, string[] words) =>
        SearchText.Words(text).ShouldBe(words);

    [Theory]
    [InlineData("plus de 14 000 personnes", "14000")]
    [InlineData("plus de 14\u00A0000 personnes", "14000")]
    [InlineData("plus de 14\u202F000 personnes", "14000")]
    [InlineData("more than 14,000 people", "14000")]
    [InlineData("2 500 000 déplacés", "2500000")]
    public void A_number_written_in_groups_of_three_is_also_one_word(string text, string number)
    {
        SearchText.Words(text).ShouldContain(number);
        SearchText.Words(number).ShouldBe([number]);
    }

    [Theory]
    [InlineData("1.5 km", "15")]
    [InlineData("14  000", "14000")]
    [InlineData("14 00", "1400")]
    [InlineData("14 0000", "140000")]
    [InlineData("14 ans, 000", "14000")]
    public void Digits_that_are_not_groups_of_three_stay_apart(string text, string joined) =>
        SearchText.Words(text).ShouldNotContain(joined);

    [Fact]
    public void A_long_word_is_cut_so_that_a_query_word_still_finds_it_as_a_prefix()
    {
        var word = new string('a', 500);
        SearchText.Words(word).ShouldBe([new string('a', SearchText.LongestWord)]);
    }

    [Fact]
    public void A_text_that_is_not_valid_unicode_is_searched_as_it_is()
    {
        SearchText.Words("Alep\uD800 ville").ShouldContain("ville");
    }

    [Fact]
    public void A_query_is_every_word_as_a_prefix_and_every_filter_exactly()
    {
        SearchText.TsQuery(["armee", "alep"], ["~s~abc"]).ShouldBe("armee:* & alep:* & ~s~abc");
        SearchText.TsQuery([], []).ShouldBeNull();
    }

    [Fact]
    public void Filter_terms_start_with_a_character_no_query_word_holds()
    {
        var term = SearchText.Filter("from", "osdh");
        term.ShouldStartWith("~from~");
        term.Length.ShouldBe("~from~".Length + 24);
        SearchText.Words(term).ShouldNotContain(w => w.StartsWith('~'));
        SearchText.Filter("from", "osdh").ShouldBe(term);
        SearchText.Filter("from", "OSDH").ShouldNotBe(term);
    }
}
