using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Sources;

namespace ClaimLedger.IntegrationTests.Sources;

public class SourceTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task A_source_is_registered_with_its_full_text_and_SHA_256()
    {
        var text = "Cette offensive a provoqué le départ de plus de 14 000 personnes.";
        var created = await Api.Post("/api/sources", new { title = "T", outlet = "O", url = "https://example.org/a", language = "fr", publishedAt = "2024-11-29T08:00:00+01:00", text });
        created.Status.ShouldBe(201, created.Body);
        created.Json.GetProperty("contentSha256").GetString().ShouldBe(SourceText.Sha256(text));
        var id = created.Json.GetProperty("id").GetGuid();
        created.Headers.Location!.ToString().ShouldBe($"/api/sources/{id}");

        var read = await Api.Get($"/api/sources/{id}", LedgerApi.Auditor);
        read.Status.ShouldBe(200);
        read.Json.GetProperty("text").GetString().ShouldBe(text);
        read.Json.GetProperty("registeredBy").GetString().ShouldBe(LedgerApi.Checker);
        read.Json.GetProperty("publishedAt").GetString().ShouldBe("2024-11-29T08:00:00+01:00");
    }

    [Fact]
    public async Task A_source_without_text_has_no_hash_and_is_listed()
    {
        var created = await Api.Post("/api/sources", new { title = "Press release", outlet = "UN OCHA", language = "en", publishedAt = "2024-11-30" });
        created.Status.ShouldBe(201);
        created.Json.TryGetProperty("contentSha256", out _).ShouldBeFalse();
        var list = await Api.Get("/api/sources?q=press%20release%20ocha");
        list.Status.ShouldBe(200);
        list.Json.GetProperty("items").EnumerateArray().ShouldContain(s => s.GetProperty("id").GetGuid() == created.Json.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Missing_fields_are_named_in_one_400()
    {
        var r = await Api.PostRaw("/api/sources", "{}");
        r.Status.ShouldBe(400);
        r.ContentType.ShouldBe("application/problem+json");
        var errors = r.Json.GetProperty("errors");
        foreach (var field in new[] { "title", "outlet", "language", "publishedAt" })
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Theory]
    [InlineData("url", "\"ftp://x\"")]
    [InlineData("url", "\"not a url\"")]
    [InlineData("language", "\"French language\"")]
    [InlineData("title", "\"   \"")]
    [InlineData("text", "\"\"")]
    [InlineData("publishedAt", "\"2024-11-29T10:00:00\"")]
    [InlineData("publishedAt", "\"last friday\"")]
    [InlineData("publishedAt", "20241129")]
    [InlineData("title", "42")]
    public async Task A_bad_field_is_named(string field, string json)
    {
        var fields = new Dictionary<string, string>
        {
            ["title"] = "\"T\"", ["outlet"] = "\"O\"", ["language"] = "\"fr\"", ["publishedAt"] = "\"2024-11-29\"",
        };
        fields[field] = json;
        var body = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
        var r = await Api.PostRaw("/api/sources", body);
        r.Status.ShouldBe(400, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        r.ProblemField.ShouldBe(field, r.Body);
    }

    [Theory]
    [InlineData("title")]
    [InlineData("outlet")]
    [InlineData("text")]
    public async Task A_string_holding_U0000_is_400_naming_the_field(string field)
    {
        var fields = new Dictionary<string, string>
        {
            ["title"] = "\"T\"", ["outlet"] = "\"O\"", ["language"] = "\"fr\"", ["publishedAt"] = "\"2024-11-29\"", ["text"] = "\"Some text.\"",
        };
        // The JSON escape: PostgreSQL's jsonb refuses it, so it must never reach a write.
        fields[field] = "\"before\\u0000after\"";
        var body = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
        var r = await Api.PostRaw("/api/sources", body);
        r.Status.ShouldBe(400, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        r.ProblemField.ShouldBe(field, r.Body);
        r.Json.GetProperty("detail").GetString()!.ShouldContain("U+0000");
    }

    [Fact]
    public async Task A_backslash_followed_by_u0000_is_ordinary_text_and_kept()
    {
        const string text = @"Le motif \u0000 est du texte.";
        var created = await Api.Post("/api/sources", new { title = "T", outlet = "O", language = "fr", publishedAt = "2024-11-29", text });
        created.Status.ShouldBe(201, created.Body);
        var read = await Api.Get($"/api/sources/{created.Json.GetProperty("id").GetGuid()}");
        read.Json.GetProperty("text").GetString().ShouldBe(text);
    }

    [Fact]
    public async Task A_text_past_2_MiB_gets_413()
    {
        var text = new string('a', 2 * 1024 * 1024 + 100 * 1024);
        var r = await Api.Post("/api/sources", new { title = "T", outlet = "O", language = "fr", publishedAt = "2024-11-29", text });
        r.Status.ShouldBe(413);
        r.ContentType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_text_of_nearly_2_MiB_is_kept()
    {
        var text = new string('é', 1024 * 1024); // 2 MiB of UTF-8, 1 Mi characters
        var r = await Api.Post("/api/sources", new { title = "T", outlet = "O", language = "fr", publishedAt = "2024-11-29", text = text[..(1024 * 1024 - 10)] });
        r.Status.ShouldBe(201, r.Body.Length > 500 ? r.Body[..500] : r.Body);
    }

    [Fact]
    public async Task An_unknown_source_is_404_and_a_bad_id_is_not_a_500()
    {
        var r = await Api.Get($"/api/sources/{Guid.NewGuid()}");
        r.Status.ShouldBe(404);
        r.ContentType.ShouldBe("application/problem+json");
        (await Api.Get("/api/sources/not-a-guid")).Status.ShouldBe(404);
    }
}
