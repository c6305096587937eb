using System.Text.Json;
using ClaimLedger.Claims;
using ClaimLedger.Web;

namespace ClaimLedger.Tests.Web;

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

    [Theory]
    [InlineData("2024-11-29T10:15:00+01:00", "2024-11-29T10:15:00+01:00")]
    [InlineData("2024-11-29T10:15:00.5Z", "2024-11-29T10:15:00.5+00:00")]
    [InlineData("2024-11-29T10:15:00.1234567-03:30", "2024-11-29T10:15:00.123456-03:30")]
    [InlineData("2024-11-29T10:15:00.0000009+14:00", "2024-11-29T10:15:00+14:00")]
    [InlineData("0001-01-01T00:00:00.000010+00:00", "0001-01-01T00:00:00.00001+00:00")]
    public void Times_are_written_to_the_microsecond_with_their_offset_and_no_trailing_zeros(string time, string written)
    {
        JsonSetup.Format(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(written);
        JsonSerializer.Serialize(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), JsonSetup.Options).ShouldBe($"\"{written}\"");
    }

    [Fact]
    public void Times_are_written_as_the_iso_pattern_writes_them_whatever_the_time()
    {
        // Every stored document and event carries times: the text must stay what it always was, byte for byte.
        var random = new Random(20241129);
        for (var i = 0; i < 200_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            // Fractions with trailing zeros, whole seconds and whole microseconds are the usual cases: make them common.
            ticks -= (i % 4) switch { 0 => ticks % TimeSpan.TicksPerSecond, 1 => ticks % 10, 2 => ticks % 100_000, _ => 0 };
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
            var time = new DateTimeOffset(ticks, offset);
            JsonSetup.Format(time).ShouldBe(time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed record Body(string? Text, List<string>? Notes, Inner? Value);
    private sealed record Inner(string? Unit);

    [Theory]
    [InlineData("""{"text":"a\u0000b"}""", "text")]
    [InlineData("""{"text":"\u0000"}""", "text")]
    [InlineData("""{"notes":["fine","x\u0000"]}""", "notes[1]")]
    [InlineData("""{"value":{"unit":"\u0000people"}}""", "value.unit")]
    public void A_request_string_holding_U0000_is_refused_naming_its_path(string json, string field)
    {
        var e = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<Body>(json, JsonSetup.RequestOptions));
        JsonSetup.FieldOf(e).ShouldBe(field);
        JsonSetup.Describe(e).ShouldBe($"{field}: {JsonSetup.NulReason}");
    }

    [Theory]
    // The characters backslash, u, 0, 0, 0, 0: ordinary text that PostgreSQL stores.
    [InlineData("""{"text":"a\\u0000b"}""", "a\\u0000b")]
    [InlineData("""{"text":"caf\u00e9 \u2019"}""", "café ’")]
    [InlineData("""{"text":"plain"}""", "plain")]
    public void Other_request_strings_pass_as_they_are(string json, string text) =>
        JsonSerializer.Deserialize<Body>(json, JsonSetup.RequestOptions)!.Text.ShouldBe(text);

    [Fact]
    public void A_request_string_of_the_wrong_type_is_still_named_as_such()
    {
        var e = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<Body>("""{"text":42}""", JsonSetup.RequestOptions));
        JsonSetup.FieldOf(e).ShouldBe("text");
        JsonSetup.Describe(e).ShouldStartWith("text: the value has the wrong type or format");
    }

    [Fact]
    public void Dictionary_keys_are_written_as_they_are()
    {
        var errors = new Dictionary<string, string[]> { ["If-Match"] = ["r"], ["Value.Amount"] = ["r"], ["Authorization"] = ["r"] };
        JsonSerializer.Serialize(errors, JsonSetup.Options).ShouldBe("""{"If-Match":["r"],"Value.Amount":["r"],"Authorization":["r"]}""");
    }

    [Theory]
    [InlineData("""{"amount":1,"bound":"exact","amount":2}""", "amount")]
    [InlineData("""{"amount":1,"bound":"exact","Amount":2}""", "Amount")]
    public void A_request_body_that_gives_a_member_twice_is_refused_naming_it(string json, string field)
    {
        JsonSerializer.Deserialize<ClaimValue>(json, JsonSetup.Options).ShouldNotBeNull();
        var e = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ClaimValue>(json, JsonSetup.RequestOptions));
        JsonSetup.FieldOf(e).ShouldBe(field);
        JsonSetup.Describe(e).ShouldBe($"{field}: is given more than once; give each member once");
    }
}
