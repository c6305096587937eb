using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Resolving;

public sealed record ResolveDisputeRequest
{
    /// <summary>upheld refutes the claim; rejected restores the status it had before the dispute.</summary>
    [Required] public DisputeOutcome? Outcome { get; init; }
    [Required] public string? Note { get; init; }
}

/// <summary>A claim write in Wolverine's aggregate workflow; its steps and their order are <see cref="ClaimRequest"/>'s.</summary>
public static class ResolveDisputeEndpoint
{
    public static Task<(ClaimRequest?, IResult)> ReadAsync(Guid id, Guid disputeId, HttpContext http, IDocumentSession session) =>
        ClaimRequest.ReadAsync<ResolveDisputeRequest>(http, session, id, (body, _) =>
        {
            var errors = new FieldErrors();
            var outcome = errors.Required(body.Outcome, "outcome");
            var note = errors.Text(body.Note, "note", 5000);
            return Task.FromResult(errors.Any ? Intent.Refuse(errors.ToResult()) : new ResolveDispute(disputeId, outcome, note));
        });

    public static Task<IResult> GuardAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request.GuardAsync(session, http.RequestAborted);

    public static ProblemDetails Validate(ClaimRequest request, Claim? claim) => request.Check(claim);

    [EndpointSummary("Resolve a dispute (reviewers; never one they opened)")]
    [WolverinePost("/api/claims/{id}/disputes/{disputeId}/resolution", Name = "ResolveDispute"), Authorize(Policy = Policies.Review)]
    [Tags("Claims")]
    [JsonBody(typeof(ResolveDisputeRequest)), ClaimWriteSteps]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<(IResult, Events)> Post([NotBody] ClaimRequest request,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive, Required = false)] Claim claim,
        IDocumentSession session, TimeProvider clock, HttpContext http) =>
        request.DecideAsync(claim, session, clock, http.RequestAborted);
}
