using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
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

public static class AttachEvidenceEndpoint
{
    [EndpointSummary("Attach evidence for or against a claim (a submitted claim goes under review)")]
    [WolverinePost("/api/claims/{id}/evidence", Name = "AttachEvidence"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(AttachEvidenceRequest))]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<IResult> Post(Guid id, IDocumentSession session, HttpContext http) =>
        ClaimWrite.RunAsync<AttachEvidenceRequest>(http, session, id, async (body, _) =>
        {
            var errors = new FieldErrors();
            var sourceId = errors.Required(body.SourceId, "sourceId");
            var stance = errors.Required(body.Stance, "stance");
            var note = errors.Text(body.Note, "note", 5000);
            var quote = errors.OptionalText(body.Quote, "quote", Submitting.SubmitClaimEndpoint.MaxQuoteLength);
            if (errors.Any) return Intent.Refuse(errors.ToResult());
            var (_, anchor, problem) = await ClaimWrite.SourceAndQuoteAsync(session, sourceId, quote, http.RequestAborted);
            if (problem != null) return Intent.Refuse(problem);
            return new AttachEvidence(Guid.CreateVersion7(), sourceId, quote, anchor, stance, note);
        });
}
