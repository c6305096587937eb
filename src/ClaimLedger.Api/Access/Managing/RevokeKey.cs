using ClaimLedger.Web;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Access.Managing;

public static class RevokeKeyEndpoint
{
    /// <summary>Revokes a key: every node refuses it (401) within a second. 409 when it was already revoked.</summary>
    [EndpointSummary("Revoke a key (admins)")]
    [WolverineDelete("/api/users/{name}/keys/{keyId}", Name = "RevokeKey"), Authorize(Policy = Policies.Administer)]
    [Tags("Users and keys")]
    [ProducesResponseType(204)]
    public static Task<IResult> Delete(string name, string keyId, IDocumentSession session, HttpContext http)
    {
        if (!Guid.TryParse(keyId, out var id)) return Task.FromResult(Problems.Result(400, "must be a key's id (a GUID)", "keyId"));
        var user = AccessWrite.NameOf(name);
        return AccessWrite.RunAsync(http, session, null, _ => [new RevokeKey(user, id)], null, _ => (Results.NoContent(), null));
    }
}
