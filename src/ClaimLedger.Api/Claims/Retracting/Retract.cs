using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Retracting;

public sealed record RetractClaimRequest
{
    /// <summary>Why: the source withdrew the claim.</summary>
    [Required] public string? Reason { get; init; }
}

/// <summary>A claim write in Wolverine's aggregate workflow; its steps and their order are <see cref="ClaimRequest"/>'s.</summary>
public static class RetractClaimEndpoint
{
    public static Task<(ClaimRequest?, IResult)> ReadAsync(Guid id, HttpContext http, IDocumentSession session) =>
        ClaimRequest.ReadAsync<RetractClaimRequest>(http, session, id, (body, _) =>
        {
            var errors = new FieldErrors();
            var reason = errors.Text(body.Reason, "reason", 5000);
            return Task.FromResult(errors.Any ? Intent.Refuse(errors.ToResult()) : new RetractClaim(reason));
        });

    public static Task<IResult> GuardAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request.GuardAsync(session, http.RequestAborted);

    public static ProblemDetails Validate(ClaimRequest request, Claim? claim) => request.Check(claim);

    [EndpointSummary("Retract a claim (its submitter only); terminal")]
    [WolverinePost("/api/claims/{id}/retraction", Name = "RetractClaim"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(RetractClaimRequest)), ClaimWriteSteps]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<(IResult, Events)> Post([NotBody] ClaimRequest request,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive, Required = false)] Claim claim,
        IDocumentSession session, TimeProvider clock, HttpContext http) =>
        request.DecideAsync(claim, session, clock, http.RequestAborted);
}
