using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Attaching;

public sealed record AttachEvidenceRequest
{
    [Required] public Guid? SourceId { get; init; }
    /// <summary>Anchored in the evidence source's text when it has one.</summary>
    public string? Quote { get; init; }
    [Required] public Stance? Stance { get; init; }
    [Required] public string? Note { get; init; }
}

/// <summary>A claim write in Wolverine's aggregate workflow; its steps and their order are <see cref="ClaimRequest"/>'s.</summary>
public static class AttachEvidenceEndpoint
{
    public static Task<(ClaimRequest?, IResult)> ReadAsync(Guid id, HttpContext http, IDocumentSession session) =>
        ClaimRequest.ReadAsync<AttachEvidenceRequest>(http, session, id, async (body, reads) =>
        {
            var errors = new FieldErrors();
            var sourceId = errors.Required(body.SourceId, "sourceId");
            var stance = errors.Required(body.Stance, "stance");
            var note = errors.Text(body.Note, "note", 5000);
            var quote = errors.OptionalText(body.Quote, "quote", Submitting.SubmitClaimEndpoint.MaxQuoteLength);
            if (errors.Any) return Intent.Refuse(errors.ToResult());
            var (_, anchor, problem) = await ClaimWrite.SourceAndQuoteAsync(reads, sourceId, quote);
            if (problem != null) return Intent.Refuse(problem);
            return new AttachEvidence(Guid.CreateVersion7(), sourceId, quote, anchor, stance, note);
        });

    public static Task<IResult> GuardAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request.GuardAsync(session, http.RequestAborted);

    public static ProblemDetails Validate(ClaimRequest request, Claim? claim) => request.Check(claim);

    [EndpointSummary("Attach evidence for or against a claim (a submitted claim goes under review)")]
    [WolverinePost("/api/claims/{id}/evidence", Name = "AttachEvidence"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(AttachEvidenceRequest)), ClaimWriteSteps]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<(IResult, Events)> Post([NotBody] ClaimRequest request,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive, Required = false)] Claim claim,
        IDocumentSession session, TimeProvider clock, HttpContext http) =>
        request.DecideAsync(claim, session, clock, http.RequestAborted);
}
