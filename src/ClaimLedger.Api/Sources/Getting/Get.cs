using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Sources.Getting;

/// <summary>A source as listed: everything but its text.</summary>
public sealed record SourceSummary(Guid Id, string Title, string Outlet, string? Url, string Language, DateTimeOffset PublishedAt,
    string? ContentSha256, bool HasText, DateTimeOffset RegisteredAt);

public static class GetSourceEndpoint
{
    [EndpointSummary("Get a source with its full text")]
    [WolverineGet("/api/sources/{id}", Name = "GetSource"), Authorize(Policy = Policies.Read)]
    [Tags("Sources")]
    [ProducesResponseType<Source>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Source>(id, ct) is { } source
            ? Results.Json(source, JsonSetup.Options)
            : Problems.NotFound("source", id);

    [EndpointSummary("List sources (without their text)")]
    [WolverineGet("/api/sources", Name = "ListSources"), Authorize(Policy = Policies.Read)]
    [Tags("Sources")]
    [ProducesResponseType<IReadOnlyList<SourceSummary>>(200)]
    public static async Task<IResult> List(IQuerySession session, CancellationToken ct)
    {
        var sources = await session.Query<Source>().OrderBy(s => s.RegisteredAt).Take(1000)
            .Select(s => new SourceSummary(s.Id, s.Title, s.Outlet, s.Url, s.Language, s.PublishedAt, s.ContentSha256, s.Text != null, s.RegisteredAt))
            .ToListAsync(ct);
        return Results.Json(sources, JsonSetup.Options);
    }
}
