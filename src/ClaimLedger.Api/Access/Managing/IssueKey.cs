using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Access.Managing;

public static class IssueKeyEndpoint
{
    /// <summary>Issues the user another key, shown in this response only; its other keys stay valid.</summary>
    [EndpointSummary("Issue a user a new key, shown once (admins)")]
    [WolverinePost("/api/users/{name}/keys", Name = "IssueKey"), Authorize(Policy = Policies.Administer)]
    [Tags("Users and keys")]
    [ProducesResponseType<IssuedKey>(201)]
    public static Task<IResult> Post(string name, IDocumentSession session, HttpContext http)
    {
        var issued = NewApiKey.Create();
        var user = AccessWrite.NameOf(name);
        return AccessWrite.RunAsync(http, session, new { }, _ => [new IssueKey(user, issued.Id, issued.Prefix)], issued,
            outcome => AccessWrite.KeyShownOnce(201, outcome, issued));
    }
}
