using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

public class SubmitClaimTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task A_claim_is_submitted_with_its_value_period_and_anchored_quote()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var r = await Api.Post("/api/claims", new
        {
            sourceId = source, quote = "les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils",
            attributedTo = "OSDH", figureId = figure, value = new { amount = 242, bound = "at_least" },
            validFrom = "2024-11-27",
        });
        r.Status.ShouldBe(201, r.Body);
        var id = r.Json.GetProperty("id").GetGuid();
        r.Json.GetProperty("version").GetInt64().ShouldBe(1);
        r.Json.GetProperty("status").GetString().ShouldBe("submitted");
        r.Headers.Location!.ToString().ShouldBe($"/api/claims/{id}");
        r.ETag.ShouldBe("\"1\"");

        var claim = await Api.Get($"/api/claims/{id}", LedgerApi.Auditor);
        claim.Status.ShouldBe(200);
        claim.ETag.ShouldBe("\"1\"");
        var json = claim.Json;
        json.GetProperty("value").GetProperty("amount").GetDecimal().ShouldBe(242);
        json.GetProperty("value").GetProperty("bound").GetString().ShouldBe("at_least");
        json.GetProperty("validFrom").GetString().ShouldBe("2024-11-27T00:00:00+00:00");
        json.GetProperty("submittedBy").GetString().ShouldBe(LedgerApi.Checker);
        var anchor = json.GetProperty("anchor");
        Arrange.Text[anchor.GetProperty("start").GetInt32()..anchor.GetProperty("end").GetInt32()]
            .ShouldBe("les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils");
    }

    [Fact]
    public async Task Every_event_of_a_claim_carries_its_provenance()
    {
        var id = await Api.Claim(figure: await Api.Figure());
        var r = await Api.Get($"/api/claims/{id}/events", LedgerApi.Auditor);
        r.Status.ShouldBe(200);
        var e = r.Json.EnumerateArray().Single();
        e.GetProperty("type").GetString().ShouldBe("claim_submitted");
        e.GetProperty("actor").GetString().ShouldBe(LedgerApi.Checker);
        e.GetProperty("version").GetInt64().ShouldBe(1);
        e.GetProperty("sequence").GetInt64().ShouldBeGreaterThan(0);
        var data = e.GetProperty("data");
        data.GetProperty("quote").GetString().ShouldBe("au moins 242 victimes depuis mercredi");
        data.GetProperty("attributedTo").GetString().ShouldBe("OSDH");
        var recordedAt = DateTimeOffset.Parse(e.GetProperty("recordedAt").GetString()!);
        var claim = await Api.Get($"/api/claims/{id}");
        DateTimeOffset.Parse(claim.Json.GetProperty("submittedAt").GetString()!).ShouldBe(recordedAt);
    }

    [Fact]
    public async Task A_source_without_text_takes_any_quote_unanchored()
    {
        var source = await Api.Source(text: null);
        var r = await Api.Post("/api/claims", new { sourceId = source, quote = "anything at all", attributedTo = "UN" });
        r.Status.ShouldBe(201, r.Body);
        var claim = await Api.Get($"/api/claims/{r.Json.GetProperty("id").GetGuid()}");
        claim.Json.TryGetProperty("anchor", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_quote_that_is_not_in_the_source_is_422_on_quote()
    {
        var r = await Api.Post("/api/claims", new { sourceId = await Api.Source(), quote = "au moins 300 victimes", attributedTo = "OSDH" });
        r.Status.ShouldBe(422);
        r.ProblemField.ShouldBe("quote");
        r.Json.GetProperty("detail").GetString()!.ShouldContain("does not occur");
    }

    [Fact]
    public async Task Unknown_source_and_figure_are_422_naming_them()
    {
        var noSource = await Api.Post("/api/claims", new { sourceId = Guid.NewGuid(), quote = "q", attributedTo = "x" });
        noSource.Status.ShouldBe(422);
        noSource.ProblemField.ShouldBe("sourceId");
        var noFigure = await Api.Post("/api/claims", new { sourceId = await Api.Source(), quote = "242 victimes", attributedTo = "x", figureId = Guid.NewGuid(), value = new { amount = 1, bound = "exact" } });
        noFigure.Status.ShouldBe(422);
        noFigure.ProblemField.ShouldBe("figureId");
    }

    [Fact]
    public async Task Written_alone_with_an_Idempotency_Key_unknown_source_and_figure_are_422_naming_them_too()
    {
        Dictionary<string, string> Key() => new() { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var noSource = await Api.Post("/api/claims", new { sourceId = Guid.NewGuid(), quote = "q", attributedTo = "x" }, headers: Key());
        noSource.Status.ShouldBe(422);
        noSource.ProblemField.ShouldBe("sourceId");
        var source = await Api.Source();
        var noFigure = await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "x", figureId = Guid.NewGuid(), value = new { amount = 1, bound = "exact" } }, headers: Key());
        noFigure.Status.ShouldBe(422);
        noFigure.ProblemField.ShouldBe("figureId");
        var figure = await Api.Figure();
        var written = await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "x", figureId = figure, value = new { amount = 1, bound = "exact" } }, headers: Key());
        written.Status.ShouldBe(201, written.Body);
    }

    [Fact]
    public async Task Low_above_high_and_a_period_that_ends_before_it_starts_are_422()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var lowHigh = await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "x", figureId = figure, value = new { amount = 242, bound = "approximately", low = 300, high = 200 } });
        lowHigh.Status.ShouldBe(422, lowHigh.Body);
        lowHigh.ProblemField.ShouldBe("value.low");
        var period = await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "x", validFrom = "2024-11-29", validTo = "2024-11-27" });
        period.Status.ShouldBe(422, period.Body);
        period.ProblemField.ShouldBe("validTo");
    }

    [Theory]
    [InlineData("""{"quote":"q","attributedTo":"x"}""", "sourceId")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","attributedTo":"x"}""", "quote")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q"}""", "attributedTo")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"x","value":{"amount":1,"bound":"exact"}}""", "figureId")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"x","figureId":"00000000-0000-0000-0000-000000000001","value":{"bound":"exact"}}""", "value.amount")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"x","figureId":"00000000-0000-0000-0000-000000000001","value":{"amount":1}}""", "value.bound")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"x","figureId":"00000000-0000-0000-0000-000000000001","value":{"amount":1,"bound":"roughly"}}""", "value.bound")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"x","figureId":"00000000-0000-0000-0000-000000000001","value":{"amount":"242","bound":"exact"}}""", "value.amount")]
    [InlineData("""{"sourceId":"not-a-guid","quote":"q","attributedTo":"x"}""", "sourceId")]
    [InlineData("""{"sourceId":42,"quote":"q","attributedTo":"x"}""", "sourceId")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":{"text":"q"},"attributedTo":"x"}""", "quote")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"x","validFrom":"mercredi"}""", "validFrom")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"\ud800","attributedTo":"x"}""", "quote")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q\u0000","attributedTo":"x"}""", "quote")]
    [InlineData("""{"sourceId":"00000000-0000-0000-0000-000000000001","quote":"q","attributedTo":"OS\u0000DH"}""", "attributedTo")]
    [InlineData("{\"sourceId\":\"00000000-0000-0000-0000-000000000001\",\"quote\":\"q\",\"attributedTo\":\"x\"", "body")]
    [InlineData("""[1,2,3]""", "body")]
    [InlineData("""null""", "body")]
    public async Task Each_bad_input_gets_400_naming_the_field(string body, string field)
    {
        var r = await Api.PostRaw("/api/claims", body);
        r.Status.ShouldBe(400, r.Body);
        r.ContentType.ShouldBe("application/problem+json");
        r.ProblemField.ShouldBe(field, r.Body);
    }

    [Fact]
    public async Task An_empty_body_is_400()
    {
        var r = await Api.PostRaw("/api/claims", "");
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe("body");
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_415()
    {
        var r = await Api.PostRaw("/api/claims", "sourceId=1", contentType: "application/x-www-form-urlencoded");
        r.Status.ShouldBe(415, r.Body);
        r.ProblemField.ShouldBe("Content-Type");
    }

    [Fact]
    public async Task A_body_past_64_KiB_is_413()
    {
        var r = await Api.Post("/api/claims", new { sourceId = Guid.NewGuid(), quote = new string('x', 70_000), attributedTo = "x" });
        r.Status.ShouldBe(413);
        r.ContentType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Unknown_claims_are_404_on_every_read()
    {
        var id = Guid.NewGuid();
        (await Api.Get($"/api/claims/{id}")).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{id}/events")).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{id}?version=1")).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{id}?asOf=2024-11-29T00:00:00Z")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task A_source_id_is_not_a_claim()
    {
        var source = await Api.Source();
        (await Api.Get($"/api/claims/{source}")).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{source}/events")).Status.ShouldBe(404);
    }

    [Theory]
    [InlineData("version=0", "version")]
    [InlineData("version=abc", "version")]
    [InlineData("asOf=yesterday", "asOf")]
    [InlineData("asOf=2024-11-29T10:00:00Z&version=1", "asOf")]
    public async Task Bad_time_travel_parameters_are_400(string query, string field)
    {
        var id = await Api.Claim();
        var r = await Api.Get($"/api/claims/{id}?{query}");
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task A_claim_read_at_version_one_or_as_of_now_is_the_submitted_claim()
    {
        var id = await Api.Claim();
        var v1 = await Api.Get($"/api/claims/{id}?version=1");
        v1.Status.ShouldBe(200, v1.Body);
        v1.Json.GetProperty("status").GetString().ShouldBe("submitted");
        (await Api.Get($"/api/claims/{id}?version=2")).Status.ShouldBe(404);
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        (await Api.Get($"/api/claims/{id}?asOf={now}")).Status.ShouldBe(200);
        (await Api.Get($"/api/claims/{id}?asOf=2020-01-01")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task The_empty_id_is_an_unknown_claim_not_an_error()
    {
        var source = await Api.Source();
        var empty = Guid.Empty;
        (await Api.Post($"/api/claims/{empty}/evidence", new { sourceId = source, stance = "supports", note = "n" })).Status.ShouldBe(404);
        (await Api.Post($"/api/claims/{empty}/retraction", new { reason = "r" })).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{empty}")).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{empty}?version=1")).Status.ShouldBe(404);
        (await Api.Get($"/api/claims/{empty}/events")).Status.ShouldBe(404);
        var r = await Api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "x", supersedes = empty });
        r.Status.ShouldBe(422);
        r.ProblemField.ShouldBe("supersedes");
        (await Api.Get($"/api/figures/{empty}")).Status.ShouldBe(404);
        (await Api.Get($"/api/figures/{empty}/revisions")).Status.ShouldBe(404);
        (await Api.Get($"/api/sources/{empty}")).Status.ShouldBe(404);
    }
}
