using System.Globalization;
using JasperFx.CommandLine;
using Marten;
using Npgsql;

namespace ClaimLedger.Access;

public sealed class UsersInput : NetCoreInput
{
    [Description("What to do: add, list, revoke, rotate or role")]
    public string Action { get; set; } = "";

    [Description("The user's name: the actor recorded on its events")]
    public string Name { get; set; } = "";

    [Description("revoke: the key's id, or its first 8 characters as list shows them")]
    public string Key { get; set; } = "";

    [Description("checker, reviewer, auditor or admin")]
    [FlagAlias("role", 'r')]
    public string RoleFlag { get; set; } = Roles.Checker;
}

/// <summary>
/// Users and keys on the command line, through the same rules and events as the API; the actor recorded is the
/// operator (<see cref="UserDirectory.OperatorName"/>). A new key is printed alone on the last line; a refusal prints
/// why and exits non-zero.
/// </summary>
[Description("Manage users and their API keys", Name = "users")]
public sealed class UsersCommand : JasperFxAsyncCommand<UsersInput>
{
    public UsersCommand()
    {
        Usage("List users, their roles and their keys").Arguments(x => x.Action);
        Usage("add <name> --role <role>: add a user and issue its first key; rotate <name>: issue a new key and revoke the others; " +
              "role <name> --role <role>: change its role").Arguments(x => x.Action, x => x.Name);
        Usage("revoke <name> <key id or prefix>: revoke a key").Arguments(x => x.Action, x => x.Name, x => x.Key);
    }

    public override async Task<bool> Execute(UsersInput input)
    {
        if (input.Action is not ("add" or "list" or "revoke" or "rotate" or "role"))
            return Refuse($"unknown action '{input.Action}': use users add|list|revoke|rotate|role (users help)");
        if (input.Action is "add" or "role" && !Roles.IsKnown(input.RoleFlag))
            return Refuse($"unknown role '{input.RoleFlag}': use one of {string.Join(", ", Roles.All)}");
        var name = "";
        if (input.Action != "list")
        {
            if (!UserNames.TryNormalise(input.Name, out name, out var refusal)) return Refuse($"this name cannot be a user's name: {refusal}");
            if (input.Action == "revoke" && string.IsNullOrWhiteSpace(input.Key)) return Refuse("revoke needs the key: users revoke <name> <key id or prefix>");
        }

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        if (input.Action == "list") return await ListAsync(store, host.Services.GetRequiredService<NpgsqlDataSource>());

        var issued = input.Action is "add" or "rotate" ? NewApiKey.Create() : null;
        string? unknownKey = null;
        var outcome = await UserDirectory.WriteAsync(store, UserDirectory.OperatorName(), users => input.Action switch
        {
            "add" => [new AddUser(name, input.RoleFlag, issued!.Id, issued.Prefix)],
            "rotate" => [new RotateKeys(name, issued!.Id, issued.Prefix)],
            "role" => [new ChangeRole(name, input.RoleFlag)],
            _ => KeyOf(users.FirstOrDefault(u => u.Name == name), input.Key.Trim(), out unknownKey) is { } keyId ? [new RevokeKey(name, keyId)] : [],
        }, issued, CancellationToken.None);
        if (unknownKey != null) return Refuse(unknownKey);
        if (outcome.Refusal is { } refused)
            return Refuse(refused switch
            {
                { Status: 422, Field: "name" } => $"this name cannot be a user's name: {refused.Reason}",
                { Status: 409, Field: "name" } => $"{refused.Reason} (on the command line: users rotate <name>, users role <name> --role <role>)",
                _ => refused.Reason,
            });

        var account = outcome.Account!;
        switch (input.Action)
        {
            case "add":
                Console.WriteLine($"Added {account.Name} ({account.Role}). Its API key, shown once:");
                Console.WriteLine(issued!.Key);
                break;
            case "rotate":
                var revoked = outcome.Events.OfType<KeyRevoked>().Count();
                Console.WriteLine($"Issued {account.Name} a new key ({issued!.Id}) and revoked {revoked} other{(revoked == 1 ? "" : "s")}. The key, shown once:");
                Console.WriteLine(issued.Key);
                break;
            case "role":
                Console.WriteLine($"{account.Name} is now {account.Role}.");
                break;
            default:
                Console.WriteLine($"Revoked the key {outcome.Events.OfType<KeyRevoked>().Single().KeyId} of {account.Name}.");
                break;
        }
        return true;
    }

    /// <summary>A key named by its id, or by its prefix when one key of the user (not revoked) has it.</summary>
    private static Guid? KeyOf(UserAccount? user, string key, out string? refusal)
    {
        refusal = null;
        if (Guid.TryParse(key, out var id)) return id;
        if (user is null) return Guid.Empty; // the rules say the user is unknown
        var matching = user.Keys.Where(k => !k.Revoked && k.Prefix == key).ToList();
        if (matching.Count == 1) return matching[0].KeyId;
        refusal = matching.Count == 0
            ? $"the user '{user.Name}' has no key that is not revoked with the id or prefix '{key}' (users list shows them)"
            : $"several keys of '{user.Name}' begin with '{key}': give the key's id";
        return null;
    }

    private static async Task<bool> ListAsync(IDocumentStore store, NpgsqlDataSource dataSource)
    {
        await using var session = store.QuerySession();
        var accounts = (await session.Query<UserAccount>().ToListAsync()).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var lastUses = await UserDirectory.LastUsesAsync(dataSource, CancellationToken.None);
        static string Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never";
        foreach (var account in accounts)
        {
            Console.WriteLine($"{account.Name} ({account.Role}), added {Time(account.CreatedAt)} by {account.CreatedBy}");
            foreach (var key in account.Keys)
                Console.WriteLine($"  {key.KeyId} {key.Prefix}…  issued {Time(key.IssuedAt)}, last used {Time(lastUses.TryGetValue(key.KeyId, out var used) ? used : null)}" +
                                  (key.RevokedAt is { } revoked ? $", revoked {Time(revoked)} by {key.RevokedBy}" : ""));
        }
        if (accounts.Count == 0) Console.WriteLine("No users yet: users add <name> --role <role>");
        return true;
    }

    private static bool Refuse(string reason)
    {
        Console.Error.WriteLine(reason);
        return false;
    }
}
