using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Judging;

public sealed record RecordVerdictRequest
{
    [Required] public Verdict? Verdict { get; init; }
    [Required] public string? Note { get; init; }
}

/// <summary>A claim write in Wolverine's aggregate workflow; its steps and their order are <see cref="ClaimRequest"/>'s.</summary>
public static class RecordVerdictEndpoint
{
    public static Task<(ClaimRequest?, IResult)> ReadAsync(Guid id, HttpContext http, IDocumentSession session) =>
        ClaimRequest.ReadAsync<RecordVerdictRequest>(http, session, id, (body, _) =>
        {
            var errors = new FieldErrors();
            var verdict = errors.Required(body.Verdict, "verdict");
            var note = errors.Text(body.Note, "note", 5000);
            return Task.FromResult(errors.Any ? Intent.Refuse(errors.ToResult()) : new RecordVerdict(verdict, note));
        });

    public static Task<IResult> GuardAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request.GuardAsync(session, http.RequestAborted);

    public static ProblemDetails Validate(ClaimRequest request, Claim? claim) => request.Check(claim);

    [EndpointSummary("Record a verdict (reviewers; never on a claim they submitted)")]
    [WolverinePost("/api/claims/{id}/verdict", Name = "RecordVerdict"), Authorize(Policy = Policies.Review)]
    [Tags("Claims")]
    [JsonBody(typeof(RecordVerdictRequest)), ClaimWriteSteps]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<(IResult, Events)> Post([NotBody] ClaimRequest request,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive, Required = false)] Claim claim,
        IDocumentSession session, TimeProvider clock, HttpContext http) =>
        request.DecideAsync(claim, session, clock, http.RequestAborted);
}
