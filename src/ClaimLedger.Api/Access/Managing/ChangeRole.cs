using ClaimLedger.Web;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Access.Managing;

public sealed record ChangeRoleRequest
{
    /// <summary>checker, reviewer, auditor or admin.</summary>
    public string? Role { get; init; }
}

public static class ChangeRoleEndpoint
{
    /// <summary>Gives a user another role: every key of the user acts with it on every node within a second.</summary>
    [EndpointSummary("Change a user's role (admins)")]
    [WolverinePost("/api/users/{name}/role", Name = "ChangeRole"), Authorize(Policy = Policies.Administer)]
    [Tags("Users and keys")]
    [JsonBody(typeof(ChangeRoleRequest))]
    [ProducesResponseType<UserView>(200)]
    public static async Task<IResult> Post(string name, IDocumentSession session, HttpContext http)
    {
        var (body, unreadable) = await RequestBody.ReadAsync<ChangeRoleRequest>(http);
        if (body is null) return unreadable!;
        var errors = new FieldErrors();
        var role = errors.Text(body.Role, "role", 50);
        if (errors.Any) return errors.ToResult();
        var user = AccessWrite.NameOf(name);
        return await AccessWrite.RunAsync(http, session, body, _ => [new ChangeRole(user, role)], null, outcome =>
        {
            var answer = LedgerResponse.Of(200, UserView.Of(outcome.Account!));
            return (answer, answer);
        });
    }
}
