using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using ClaimLedger.Claims.Submitting;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Correcting;

/// <summary>Any of the claim's content to change, and why. What is absent stays as it is.</summary>
public sealed record CorrectClaimRequest
{
    public ClaimValueInput? Value { get; init; }
    public string? Quote { get; init; }
    public string? AttributedTo { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    [Required] public string? Reason { get; init; }
}

/// <summary>A claim write in Wolverine's aggregate workflow; its steps and their order are <see cref="ClaimRequest"/>'s.</summary>
public static class CorrectClaimEndpoint
{
    public static Task<(ClaimRequest?, IResult)> ReadAsync(Guid id, HttpContext http, IDocumentSession session) =>
        ClaimRequest.ReadAsync<CorrectClaimRequest>(http, session, id, async (body, reads) =>
        {
            var errors = new FieldErrors();
            var reason = errors.Text(body.Reason, "reason", 5000);
            var value = ClaimInput.Value(body.Value, "value", errors);
            var quote = errors.OptionalText(body.Quote, "quote", SubmitClaimEndpoint.MaxQuoteLength);
            var attributedTo = errors.OptionalText(body.AttributedTo, "attributedTo", 300);
            if (body is { Value: null, Quote: null, AttributedTo: null, ValidFrom: null, ValidTo: null })
                errors.Add("body", "a correction changes at least one of value, quote, attributedTo, validFrom, validTo");
            if (errors.Any) return Intent.Refuse(errors.ToResult());
            if (ClaimInput.Inconsistent(value, body.ValidFrom, body.ValidTo) is { } inconsistent) return Intent.Refuse(inconsistent);

            Quotes.QuoteAnchor? anchor = null;
            if (quote != null)
            {
                if (await ClaimWrite.SourceOfClaimAsync(reads, id) is not { } source)
                    return Intent.Refuse(Problems.NotFound("claim", id));
                anchor = ClaimInput.Anchor(source, quote, "quote", out var notFound);
                if (notFound != null) return Intent.Refuse(notFound);
            }
            // The rules check the corrected period as a whole (validFrom after validTo is refused there).
            return Intent.Of(claim => new CorrectClaim(claim.Content with
            {
                Value = value ?? claim.Value,
                AttributedTo = attributedTo?.Trim() ?? claim.AttributedTo,
                ValidFrom = body.ValidFrom ?? claim.ValidFrom,
                ValidTo = body.ValidTo ?? claim.ValidTo,
                Quote = quote ?? claim.Quote,
                Anchor = quote != null ? anchor : claim.Anchor,
            }, reason));
        });

    public static Task<IResult> GuardAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request.GuardAsync(session, http.RequestAborted);

    public static ProblemDetails Validate(ClaimRequest request, Claim? claim) => request.Check(claim);

    [EndpointSummary("Correct a claim's value, quote, attribution or period (its submitter only); old and new are kept")]
    [WolverinePost("/api/claims/{id}/corrections", Name = "CorrectClaim"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(CorrectClaimRequest)), ClaimWriteSteps]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<(IResult, Events)> Post([NotBody] ClaimRequest request,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive, Required = false)] Claim claim,
        IDocumentSession session, TimeProvider clock, HttpContext http) =>
        request.DecideAsync(claim, session, clock, http.RequestAborted);
}
