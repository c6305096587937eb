using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Access;

/// <summary>The user an API key belongs to, as the ledger records it as an actor.</summary>
public sealed record Caller(string Name, string Role);

public static class WhoAmIEndpoint
{
    /// <summary>
    /// Any valid key, whatever its role: the web app asks once after sign-in, to offer only what the role may do and to
    /// leave out the four-eyes actions on the user's own claims.
    /// </summary>
    [EndpointSummary("Who this API key belongs to: the user's name (the actor of its events) and role")]
    [WolverineGet("/api/me", Name = "WhoAmI"), Authorize]
    [Tags("Access")]
    [ProducesResponseType<Caller>(200)]
    public static IResult Get(HttpContext http) =>
        Results.Json(new Caller(http.User.Identity?.Name ?? "", http.User.FindFirstValue(ClaimTypes.Role) ?? ""), JsonSetup.Options);
}
