using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Disputing;

public sealed record OpenDisputeRequest
{
    [Required] public string? Reason { get; init; }
    public Guid? SourceId { get; init; }
    public string? Quote { get; init; }
}

public sealed record DisputeOpenedResponse(Guid DisputeId, long Version, ClaimStatus Status);

/// <summary>A claim write in Wolverine's aggregate workflow; its steps and their order are <see cref="ClaimRequest"/>'s.</summary>
public static class OpenDisputeEndpoint
{
    public static Task<(ClaimRequest?, IResult)> ReadAsync(Guid id, HttpContext http, IDocumentSession session) =>
        ClaimRequest.ReadAsync<OpenDisputeRequest>(http, session, id, async (body, reads) =>
        {
            var errors = new FieldErrors();
            var reason = errors.Text(body.Reason, "reason", 5000);
            var quote = errors.OptionalText(body.Quote, "quote", Submitting.SubmitClaimEndpoint.MaxQuoteLength);
            if (errors.Any) return Intent.Refuse(errors.ToResult());
            var (_, anchor, problem) = await ClaimWrite.SourceAndQuoteAsync(reads, body.SourceId, quote);
            if (problem != null) return Intent.Refuse(problem);
            return new OpenDispute(Guid.CreateVersion7(), reason, body.SourceId, quote, anchor);
        });

    public static Task<IResult> GuardAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request.GuardAsync(session, http.RequestAborted);

    public static ProblemDetails Validate(ClaimRequest request, Claim? claim) => request.Check(claim);

    [EndpointSummary("Open a dispute on a claim")]
    [WolverinePost("/api/claims/{id}/disputes", Name = "OpenDispute"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(OpenDisputeRequest)), ClaimWriteSteps]
    [ProducesResponseType<DisputeOpenedResponse>(201)]
    public static Task<(IResult, Events)> Post([NotBody] ClaimRequest request,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive, Required = false)] Claim claim,
        IDocumentSession session, TimeProvider clock, HttpContext http) =>
        request.DecideAsync(claim, session, clock, http.RequestAborted, (_, after) =>
            LedgerResponse.Of(201, new DisputeOpenedResponse(after.OpenDispute!.Id, after.Version, after.Status),
                $"/api/claims/{request.ClaimId}", after.Version));
}
