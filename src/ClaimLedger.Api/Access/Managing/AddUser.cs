using ClaimLedger.Web;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Access.Managing;

public sealed record AddUserRequest
{
    /// <summary>The actor recorded on the user's events: 1–64 letters, digits, single spaces and . - _ ' of one script.</summary>
    public string? Name { get; init; }
    /// <summary>checker, reviewer, auditor or admin.</summary>
    public string? Role { get; init; }
}

public static class AddUserEndpoint
{
    /// <summary>
    /// Adds a user and issues its first key, shown in this response only. 409 for a name taken, or one that cannot be told
    /// apart from a user's (case, accents, look-alike letters); 422 for a name the rules refuse.
    /// </summary>
    [EndpointSummary("Add a user with its first key, shown once (admins)")]
    [WolverinePost("/api/users", Name = "AddUser"), Authorize(Policy = Policies.Administer)]
    [Tags("Users and keys")]
    [JsonBody(typeof(AddUserRequest))]
    [ProducesResponseType<IssuedKey>(201)]
    public static async Task<IResult> Post(IDocumentSession session, HttpContext http)
    {
        var (body, unreadable) = await RequestBody.ReadAsync<AddUserRequest>(http);
        if (body is null) return unreadable!;
        var errors = new FieldErrors();
        var name = errors.Text(body.Name, "name", 1000);
        var role = errors.Text(body.Role, "role", 50);
        if (errors.Any) return errors.ToResult();
        var issued = NewApiKey.Create();
        return await AccessWrite.RunAsync(http, session, body, _ => [new AddUser(name, role, issued.Id, issued.Prefix)], issued,
            outcome => AccessWrite.KeyShownOnce(201, outcome, issued));
    }
}
