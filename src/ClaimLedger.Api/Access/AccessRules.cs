using ClaimLedger.Claims;

namespace ClaimLedger.Access;

// ---- Commands on users and keys. New keys come in with their id and prefix: the rules never make randomness. ----
public abstract record AccessCommand(string Name);
public sealed record AddUser(string Name, string Role, Guid KeyId, string Prefix) : AccessCommand(Name);
public sealed record IssueKey(string Name, Guid KeyId, string Prefix) : AccessCommand(Name);
/// <summary>A new key, and every other key of the user revoked with it.</summary>
public sealed record RotateKeys(string Name, Guid KeyId, string Prefix) : AccessCommand(Name);
public sealed record RevokeKey(string Name, Guid KeyId) : AccessCommand(Name);
public sealed record ChangeRole(string Name, string Role) : AccessCommand(Name);

/// <summary>
/// The rules of users and keys, as pure functions of (every user, command): no IO, no clock, no randomness. Every refusal
/// names the field at fault: 400 for a role that does not exist, 422 for a name the rules refuse, 404 for an unknown user
/// or key, 409 for what the directory's state forbids (a name taken or looking like one that is, a key already revoked,
/// the last admin's role).
/// </summary>
public static class AccessRules
{
    public static Decision Decide(IReadOnlyList<UserAccount> users, AccessCommand command)
    {
        if (command is AddUser add) return Add(users, add);
        var user = users.FirstOrDefault(u => u.Name == command.Name);
        if (user is null) return Decision.Refuse(new Refusal(404, $"no user is named '{command.Name}'", "name"));
        return command switch
        {
            IssueKey c => Decision.Accept(new KeyIssued(user.Name, c.KeyId, c.Prefix)),
            RotateKeys c => Decision.Accept([new KeyIssued(user.Name, c.KeyId, c.Prefix),
                .. user.Keys.Where(k => !k.Revoked).Select(k => new KeyRevoked(user.Name, k.KeyId))]),
            RevokeKey c => Revoke(user, c),
            ChangeRole c => Change(users, user, c),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name),
        };
    }

    private static Decision Add(IReadOnlyList<UserAccount> users, AddUser c)
    {
        if (UnknownRole(c.Role) is { } unknown) return unknown;
        if (!UserNames.TryNormalise(c.Name, out var name, out var refusal)) return Decision.Refuse(Refusal.Unprocessable(refusal, "name"));
        if (users.Any(u => u.Name == name))
            return Decision.Refuse(new Refusal(409, $"a user is already named '{name}': issue it a key, or change its role", "name"));
        var skeleton = UserNames.Skeleton(name);
        if (users.FirstOrDefault(u => UserNames.Skeleton(u.Name) == skeleton) is { } lookAlike)
            return Decision.Refuse(new Refusal(409,
                $"'{name}' cannot be told apart from the user '{lookAlike.Name}' (names are compared ignoring case, accents and look-alike letters)", "name"));
        return Decision.Accept(new UserAdded(name, c.Role), new KeyIssued(name, c.KeyId, c.Prefix));
    }

    private static Decision Revoke(UserAccount user, RevokeKey c)
    {
        var key = user.Keys.FirstOrDefault(k => k.KeyId == c.KeyId);
        if (key is null) return Decision.Refuse(new Refusal(404, $"the user '{user.Name}' has no key {c.KeyId}", "keyId"));
        if (key.RevokedAt is { } at) return Decision.Refuse(new Refusal(409, $"the key {c.KeyId} was already revoked at {at:O}", "keyId"));
        return Decision.Accept(new KeyRevoked(user.Name, c.KeyId));
    }

    private static Decision Change(IReadOnlyList<UserAccount> users, UserAccount user, ChangeRole c)
    {
        if (UnknownRole(c.Role) is { } unknown) return unknown;
        if (user.Role == c.Role) return Decision.Refuse(new Refusal(409, $"the user '{user.Name}' already has the role '{c.Role}'", "role"));
        if (user.Role == Roles.Admin && users.Count(u => u.Role == Roles.Admin) == 1)
            return Decision.Refuse(new Refusal(409, $"'{user.Name}' is the last admin: make another user admin first, or no one could manage users and keys", "role"));
        return Decision.Accept(new RoleChanged(user.Name, user.Role, c.Role));
    }

    private static Decision? UnknownRole(string role) => Roles.IsKnown(role) ? null
        : Decision.Refuse(new Refusal(400, $"unknown role '{role}': use one of {string.Join(", ", Roles.All)}", "role"));
}
