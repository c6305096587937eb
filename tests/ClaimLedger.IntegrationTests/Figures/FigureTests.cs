using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Figures;

public class FigureTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task A_figure_is_defined_and_read_back()
    {
        var created = await Api.Post("/api/figures", new { title = "People displaced", metric = "displaced", unit = "people", place = "Idlib", topic = "offensive" });
        created.Status.ShouldBe(201, created.Body);
        var id = created.Json.GetProperty("id").GetGuid();
        var read = await Api.Get($"/api/figures/{id}", LedgerApi.Reviewer);
        read.Status.ShouldBe(200);
        read.Json.GetProperty("metric").GetString().ShouldBe("displaced");
        read.Json.GetProperty("place").GetString().ShouldBe("Idlib");
        read.Json.GetProperty("revisionCount").GetInt64().ShouldBe(0);
        read.Json.GetProperty("current").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Figures_are_listed_and_filtered_by_metric_place_and_topic()
    {
        var place = $"place-{Guid.NewGuid():N}";
        var deaths = await Api.Figure("deaths", place);
        var displaced = await Api.Figure("displaced", place);
        var byPlace = await Api.Get($"/api/figures?place={place.ToUpperInvariant()}");
        byPlace.Status.ShouldBe(200);
        byPlace.Json.EnumerateArray().Select(f => f.GetProperty("id").GetGuid()).ShouldBe([deaths, displaced], ignoreOrder: true);
        var byMetric = await Api.Get($"/api/figures?place={place}&metric=displaced");
        byMetric.Json.EnumerateArray().Select(f => f.GetProperty("id").GetGuid()).ShouldBe([displaced]);
        var none = await Api.Get($"/api/figures?place={place}&topic=elsewhere");
        none.Json.GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"metric":"deaths","unit":"people"}""", "title")]
    [InlineData("""{"title":"T","unit":"people"}""", "metric")]
    [InlineData("""{"title":"T","metric":"deaths"}""", "unit")]
    [InlineData("""{"title":"T","metric":"Deaths in Syria","unit":"people"}""", "metric")]
    [InlineData("""{"title":"T","metric":"deaths","unit":"people","place":""}""", "place")]
    [InlineData("""{"title":"T","metric":["deaths"],"unit":"people"}""", "metric")]
    public async Task A_bad_definition_names_the_field(string body, string field)
    {
        var r = await Api.PostRaw("/api/figures", body);
        r.Status.ShouldBe(400, r.Body);
        r.ProblemField.ShouldBe(field);
    }

    [Fact]
    public async Task An_unknown_figure_is_404()
    {
        var r = await Api.Get($"/api/figures/{Guid.NewGuid()}");
        r.Status.ShouldBe(404);
        r.ContentType.ShouldBe("application/problem+json");
    }
}
