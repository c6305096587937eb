using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Disputing;

public sealed record OpenDisputeRequest
{
    [Required] public string? Reason { get; init; }
    public Guid? SourceId { get; init; }
    public string? Quote { get; init; }
}

public sealed record DisputeOpenedResponse(Guid DisputeId, long Version, ClaimStatus Status);

public static class OpenDisputeEndpoint
{
    [EndpointSummary("Open a dispute on a claim")]
    [WolverinePost("/api/claims/{id}/disputes", Name = "OpenDispute"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(OpenDisputeRequest))]
    [ProducesResponseType<DisputeOpenedResponse>(201)]
    public static Task<IResult> Post(Guid id, IDocumentSession session, HttpContext http) =>
        ClaimWrite.RunAsync<OpenDisputeRequest>(http, session, id, async (body, _) =>
            {
                var errors = new FieldErrors();
                var reason = errors.Text(body.Reason, "reason", 5000);
                var quote = errors.OptionalText(body.Quote, "quote", Submitting.SubmitClaimEndpoint.MaxQuoteLength);
                if (errors.Any) return Intent.Refuse(errors.ToResult());
                var (_, anchor, problem) = await ClaimWrite.SourceAndQuoteAsync(session, body.SourceId, quote, http.RequestAborted);
                if (problem != null) return Intent.Refuse(problem);
                return new OpenDispute(Guid.CreateVersion7(), reason, body.SourceId, quote, anchor);
            },
            (_, after) => LedgerResponse.Of(201, new DisputeOpenedResponse(after.OpenDispute!.Id, after.Version, after.Status),
                $"/api/claims/{id}", after.Version));
}
