using System.Text.Json;
using ClaimLedger.Claims;
using ClaimLedger.Hosting;

namespace ClaimLedger.Tests.Hosting;

public class JsonSetupTests
{
    [Theory]
    [InlineData("2024-11-29", "2024-11-29T00:00:00+00:00")]
    [InlineData("2024-11-29T10:15:00+01:00", "2024-11-29T10:15:00+01:00")]
    [InlineData("2024-11-29T10:15:00Z", "2024-11-29T10:15:00+00:00")]
    public void Times_take_an_offset_or_a_plain_date(string text, string expected)
    {
        JsonSetup.TryParseInstant(text, out var value).ShouldBeTrue();
        value.ShouldBe(DateTimeOffset.Parse(expected));
    }

    [Theory]
    [InlineData("2024-11-29T10:15:00")]
    [InlineData("29/11/2024")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void A_time_without_an_offset_or_in_another_format_is_refused(string text) =>
        JsonSetup.TryParseInstant(text, out _).ShouldBeFalse();

    [Fact]
    public void Bounds_and_statuses_are_snake_case_strings()
    {
        JsonSerializer.Serialize(new ClaimValue(242, Bound.AtLeast), JsonSetup.Options).ShouldBe("""{"amount":242,"bound":"at_least"}""");
        JsonSerializer.Serialize(ClaimStatus.UnderReview, JsonSetup.Options).ShouldBe("\"under_review\"");
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ClaimValue>("""{"amount":1,"bound":3}""", JsonSetup.Options));
    }

    [Fact]
    public void A_wrong_type_names_the_field()
    {
        var e = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ClaimValue>("""{"amount":"many","bound":"exact"}""", JsonSetup.Options));
        JsonSetup.FieldOf(e).ShouldBe("amount");
    }
}
