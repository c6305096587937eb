using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;
using ClaimLedger.Storage;

namespace ClaimLedger.Sources.Registering;

/// <summary>A source to register. Members are nullable so that a missing one is named in the 400, not guessed.</summary>
public sealed record RegisterSource
{
    [Required] public string? Title { get; init; }
    [Required] public string? Outlet { get; init; }
    public string? Url { get; init; }
    /// <summary>BCP 47 tag: fr, en-GB.</summary>
    [Required] public string? Language { get; init; }
    /// <summary>ISO 8601 with an offset, or a date (midnight UTC).</summary>
    [Required] public DateTimeOffset? PublishedAt { get; init; }
    /// <summary>The full text, up to 2 MiB; quotes are anchored in it.</summary>
    public string? Text { get; init; }
}

public sealed record SourceRegisteredResponse(Guid Id, string? ContentSha256);

public static class RegisterSourceEndpoint
{
    public const int MaxTextLength = 2 * 1024 * 1024;

    /// <summary>Registers a source once; it is immutable afterwards. Its full text, when given, is kept with its SHA-256.</summary>
    [EndpointSummary("Register a source")]
    [WolverinePost("/api/sources", Name = "RegisterSource"), Authorize(Policy = Policies.Check)]
    [Tags("Sources")]
    [JsonBody(typeof(RegisterSource))]
    [ProducesResponseType<SourceRegisteredResponse>(201)]
    public static Task<IResult> Post(IDocumentSession session, HttpContext http) =>
        LedgerWrite.RunAsync<RegisterSource>(http, session, (body, _, _) =>
        {
            var errors = new FieldErrors();
            var registered = Validate(body, errors, Guid.CreateVersion7());
            if (errors.Any) return Task.FromResult(errors.ToResult());
            session.Events.StartStream<Source>(registered.SourceId, registered);
            return Task.FromResult<IResult>(LedgerResponse.Of(201,
                new SourceRegisteredResponse(registered.SourceId, registered.ContentSha256), $"/api/sources/{registered.SourceId}"));
        });

    internal static SourceRegistered Validate(RegisterSource body, FieldErrors errors, Guid id)
    {
        var title = errors.Text(body.Title, "title", 1000);
        var outlet = errors.Text(body.Outlet, "outlet", 300);
        var url = errors.OptionalText(body.Url, "url", 2000);
        if (url != null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            errors.Add("url", "must be an absolute http or https URL");
        var language = errors.Text(body.Language, "language", 35);
        if (language.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(language, "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"))
            errors.Add("language", "must be a BCP 47 language tag such as 'fr' or 'en-GB'");
        var publishedAt = errors.Required(body.PublishedAt, "publishedAt");
        string? text = null;
        if (body.Text is not null)
        {
            if (body.Text.Length > MaxTextLength) errors.Add("text", $"must be at most {MaxTextLength} characters");
            else if (string.IsNullOrWhiteSpace(body.Text)) errors.Add("text", "must not be blank when given");
            else text = body.Text;
        }
        return new SourceRegistered(id, title, outlet, url, language, publishedAt, text, text is null ? null : SourceText.Sha256(text));
    }
}
