using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Resolving;

public sealed record ResolveDisputeRequest
{
    /// <summary>upheld refutes the claim; rejected restores the status it had before the dispute.</summary>
    [Required] public DisputeOutcome? Outcome { get; init; }
    [Required] public string? Note { get; init; }
}

public static class ResolveDisputeEndpoint
{
    [EndpointSummary("Resolve a dispute (reviewers; never one they opened)")]
    [WolverinePost("/api/claims/{id}/disputes/{disputeId}/resolution", Name = "ResolveDispute"), Authorize(Policy = Policies.Review)]
    [Tags("Claims")]
    [JsonBody(typeof(ResolveDisputeRequest))]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<IResult> Post(Guid id, Guid disputeId, IDocumentSession session, HttpContext http) =>
        ClaimWrite.RunAsync<ResolveDisputeRequest>(http, session, id, (body, _) =>
        {
            var errors = new FieldErrors();
            var outcome = errors.Required(body.Outcome, "outcome");
            var note = errors.Text(body.Note, "note", 5000);
            return Task.FromResult(errors.Any ? Intent.Refuse(errors.ToResult()) : new ResolveDispute(disputeId, outcome, note));
        });
}
