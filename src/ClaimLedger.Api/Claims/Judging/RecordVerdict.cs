using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Claims.Judging;

public sealed record RecordVerdictRequest
{
    [Required] public Verdict? Verdict { get; init; }
    [Required] public string? Note { get; init; }
}

public static class RecordVerdictEndpoint
{
    [EndpointSummary("Record a verdict (reviewers; never on a claim they submitted)")]
    [WolverinePost("/api/claims/{id}/verdict", Name = "RecordVerdict"), Authorize(Policy = Policies.Review)]
    [Tags("Claims")]
    [JsonBody(typeof(RecordVerdictRequest))]
    [ProducesResponseType<ClaimChanged>(200)]
    public static Task<IResult> Post(Guid id, IDocumentSession session, HttpContext http) =>
        ClaimWrite.RunAsync<RecordVerdictRequest>(http, session, id, (body, _) =>
        {
            var errors = new FieldErrors();
            var verdict = errors.Required(body.Verdict, "verdict");
            var note = errors.Text(body.Note, "note", 5000);
            return Task.FromResult(errors.Any ? Intent.Refuse(errors.ToResult()) : new RecordVerdict(verdict, note));
        });
}
