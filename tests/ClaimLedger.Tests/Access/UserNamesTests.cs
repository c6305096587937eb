using ClaimLedger.Access;

namespace ClaimLedger.Tests.Access;

public class UserNamesTests
{
    [Theory]
    [InlineData("carla", "carla")]
    [InlineData("  Chloé  ", "Chloé")]
    [InlineData("Chloe\u0301", "Chloé")]
    [InlineData("Jean-Luc O'Brien", "Jean-Luc O'Brien")]
    [InlineData("demo-reviewer-2", "demo-reviewer-2")]
    [InlineData("a.b_c", "a.b_c")]
    [InlineData("Сергей", "Сергей")]
    [InlineData("Σωκράτης", "Σωκράτης")]
    [InlineData("محمد", "محمد")]
    [InlineData("山田 太郎", "山田 太郎")]
    [InlineData("やまだ たろう", "やまだ たろう")]
    [InlineData("김민준", "김민준")]
    [InlineData("देवनागरी", "देवनागरी")]
    public void A_name_of_letters_digits_and_a_few_signs_in_one_script_is_kept_in_NFC(string raw, string stored)
    {
        UserNames.TryNormalise(raw, out var name, out var refusal).ShouldBeTrue(refusal);
        name.ShouldBe(stored);
        name.IsNormalized(System.Text.NormalizationForm.FormC).ShouldBeTrue();
        UserNames.IsRecordable(name).ShouldBeTrue();
    }

    [Theory]
    [InlineData("", "needs a name")]
    [InlineData("   ", "needs a name")]
    [InlineData("Chloé\u200B", "U+200B (an invisible format character)")]
    [InlineData("\u202Eevil", "U+202E (an invisible format character)")]
    [InlineData("a\nb", "U+000A (a control character)")]
    [InlineData("a\tb", "U+0009 (a control character)")]
    [InlineData("a\u0001", "U+0001 (a control character)")]
    [InlineData("a\u00A0b", "U+00A0 (a space other than ' ')")]
    [InlineData("a\u2028b", "U+2028")]
    [InlineData("a\uE000", "U+E000 (an unassigned or private character)")]
    [InlineData("Сhloé", "two scripts (Cyrillic and Latin)")]
    [InlineData("pаypal", "two scripts (Latin and Cyrillic)")]
    [InlineData("\u0301a", "a mark with no letter before it")]
    [InlineData("a  b", "no two spaces in a row")]
    [InlineData("a<b>", "'<' (U+003C) is not allowed")]
    [InlineData("a@b", "'@' (U+0040) is not allowed")]
    [InlineData("😀", "is not allowed")]
    [InlineData("._-", "at least one letter or digit")]
    public void A_name_with_invisible_control_or_mixed_script_characters_is_refused_saying_why(string raw, string reason)
    {
        UserNames.TryNormalise(raw, out _, out var refusal).ShouldBeFalse();
        refusal.ShouldContain(reason);
    }

    [Fact]
    public void A_name_that_is_not_valid_Unicode_is_refused()
    {
        UserNames.TryNormalise("a" + (char)0xD800, out _, out var refusal).ShouldBeFalse();
        refusal.ShouldContain("lone surrogate at position 2");
        UserNames.IsRecordable("a" + (char)0xDC00).ShouldBeFalse();
    }

    [Fact]
    public void A_name_is_at_most_64_characters_counted_after_NFC()
    {
        UserNames.TryNormalise(new string('a', 64), out _, out _).ShouldBeTrue();
        UserNames.TryNormalise(string.Concat(Enumerable.Repeat("e\u0301", 64)), out var composed, out _).ShouldBeTrue();
        composed.Length.ShouldBe(64);
        UserNames.TryNormalise(new string('a', 65), out _, out var refusal).ShouldBeFalse();
        refusal.ShouldContain("at most 64 characters (this one has 65)");
        UserNames.TryNormalise(new string('a', 5000), out _, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("Chloé", "chloe\u0301")]
    [InlineData("Chloé", "CHLOE")]
    [InlineData("Chloé", "Сhloé")]
    [InlineData("paypal", "раураl")]
    [InlineData("Bob", "ΒΟΒ")]
    [InlineData("Alice", "ΑLICE")]
    [InlineData("user1", "userl")]
    [InlineData("user0", "usero")]
    [InlineData("user1", "user١")]
    [InlineData("ﬁona", "fiona")]
    [InlineData("ｊｏｈｎ", "john")]
    [InlineData("Straße", "strasse")]
    [InlineData("OʼBrien", "O'Brien")]
    public void Names_that_a_reader_cannot_tell_apart_have_one_skeleton(string one, string other) =>
        UserNames.Skeleton(one).ShouldBe(UserNames.Skeleton(other));

    [Theory]
    [InlineData("carla", "chris")]
    [InlineData("jean-luc", "jean_luc")]
    [InlineData("Ian", "lan")]
    [InlineData("Сергей", "Sergei")]
    public void Names_that_differ_to_the_eye_have_different_skeletons(string one, string other) =>
        UserNames.Skeleton(one).ShouldNotBe(UserNames.Skeleton(other));

    [Theory]
    [InlineData("a\u200Bb")]
    [InlineData("a\nb")]
    [InlineData("\u202E")]
    [InlineData("")]
    public void An_actor_never_carries_a_control_or_format_character(string name)
    {
        UserNames.IsRecordable(name).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => new Actor(name, Roles.Checker));
    }
}
