using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;
using ClaimLedger.Storage;

namespace ClaimLedger.Figures.Defining;

public sealed record DefineFigure
{
    [Required] public string? Title { get; init; }
    /// <summary>snake_case: deaths, civilian_deaths, displaced, localities_captured…</summary>
    [Required] public string? Metric { get; init; }
    [Required] public string? Unit { get; init; }
    public string? Place { get; init; }
    public string? Topic { get; init; }
}

public sealed record FigureDefinedResponse(Guid Id);

public static partial class DefineFigureEndpoint
{
    [EndpointSummary("Define a figure")]
    [WolverinePost("/api/figures", Name = "DefineFigure"), Authorize(Policy = Policies.Check)]
    [Tags("Figures")]
    [JsonBody(typeof(DefineFigure))]
    [ProducesResponseType<FigureDefinedResponse>(201)]
    public static Task<IResult> Post(IDocumentSession session, HttpContext http) =>
        LedgerWrite.RunAsync<DefineFigure>(http, session, (body, _, _) =>
        {
            var errors = new FieldErrors();
            var defined = Validate(body, errors, Guid.CreateVersion7());
            if (errors.Any) return Task.FromResult(errors.ToResult());
            session.Events.StartStream<Figure>(defined.FigureId, defined);
            return Task.FromResult<IResult>(LedgerResponse.Of(201, new FigureDefinedResponse(defined.FigureId), $"/api/figures/{defined.FigureId}"));
        });

    internal static FigureDefined Validate(DefineFigure body, FieldErrors errors, Guid id)
    {
        var title = errors.Text(body.Title, "title", 500);
        var metric = errors.Text(body.Metric, "metric", 64);
        if (metric.Length > 0 && !MetricPattern().IsMatch(metric))
            errors.Add("metric", "must be a snake_case name such as 'deaths' or 'localities_captured'");
        var unit = errors.Text(body.Unit, "unit", 64);
        var place = errors.OptionalText(body.Place, "place", 300);
        var topic = errors.OptionalText(body.Topic, "topic", 300);
        return new FigureDefined(id, title, metric, unit, place, topic);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex MetricPattern();
}
