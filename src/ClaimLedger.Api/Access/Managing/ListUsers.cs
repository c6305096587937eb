using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Access.Managing;

public static class ListUsersEndpoint
{
    /// <summary>Every user with its role and its keys (id, first 8 characters, created, last used, revoked), by name.</summary>
    [EndpointSummary("List users and their keys (admins)")]
    [WolverineGet("/api/users", Name = "ListUsers"), Authorize(Policy = Policies.Administer)]
    [Tags("Users and keys")]
    [ProducesResponseType<IReadOnlyList<UserView>>(200)]
    public static async Task<IResult> Get(IQuerySession session, NpgsqlDataSource dataSource, KeyUses uses, CancellationToken ct)
    {
        await uses.FlushAsync(ct);
        var accounts = await session.Query<UserAccount>().ToListAsync(ct);
        var lastUses = await UserDirectory.LastUsesAsync(dataSource, ct);
        return Results.Json(accounts.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => UserView.Of(a, lastUses)), JsonSetup.Options);
    }
}
