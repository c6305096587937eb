using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Retracting;

public sealed record RetractClaimRequest
{
    /// <summary>Why: the source withdrew the claim.</summary>
    [Required] public string? Reason { get; init; }
}

public static class RetractClaimEndpoint
{
    [EndpointSummary("Retract a claim (its submitter only); terminal")]
    [WolverinePost("/api/claims/{id}/retraction", Name = "RetractClaim"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(RetractClaimRequest))]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<IResult> Post(Guid id, IDocumentSession session, HttpContext http) =>
        ClaimWrite.RunAsync<RetractClaimRequest>(http, session, id, (body, _) =>
        {
            var errors = new FieldErrors();
            var reason = errors.Text(body.Reason, "reason", 5000);
            return Task.FromResult(errors.Any ? Intent.Refuse(errors.ToResult()) : new RetractClaim(reason));
        });
}
