using System.Security.Cryptography;
using System.Text;
using Marten;

namespace ClaimLedger.Access;

/// <summary>A person or script that acts on the ledger. Its name is the <c>actor</c> of every event it records.</summary>
public sealed record User(string Id, string Role, DateTimeOffset CreatedAt);

/// <summary>An API key, kept only as the SHA-256 of the key: the key itself is shown once, when it is issued.</summary>
public sealed record ApiKey(string Id, string UserName, string Role, DateTimeOffset IssuedAt, string Prefix);

public static class ApiKeys
{
    private const string KeyPrefix = "clk_";

    /// <summary>A new random key: 256 bits, URL-safe. Keys are high-entropy, so one SHA-256 suffices to store them.</summary>
    public static string NewKey() => KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Serialises the adding of users, so that two look-alike names added at once cannot both pass the check.</summary>
    private const long UsersLock = 0x636c_7573_6572_73; // "clusers"

    /// <summary>
    /// Adds a user (or changes its role) and issues a new key for it; returns the key, which is not stored. The name is
    /// stored in NFC (<see cref="UserNames"/>); one that breaks the rules, or looks like another user's, is refused with
    /// an <see cref="ArgumentException"/> whose message says why.
    /// </summary>
    public static async Task<string> IssueAsync(IDocumentStore store, string name, string role, TimeProvider clock, string? key = null, CancellationToken ct = default)
    {
        if (!UserNames.TryNormalise(name, out var normalised, out var refusal)) throw new ArgumentException(refusal);
        name = normalised;
        if (!Roles.IsKnown(role)) throw new ArgumentException($"unknown role '{role}': use one of {string.Join(", ", Roles.All)}", nameof(role));
        key ??= NewKey();
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        await session.QueryAsync<string>("select 'locked' from (select pg_advisory_xact_lock(?)) as locked", ct, UsersLock);
        var skeleton = UserNames.Skeleton(name);
        var lookAlike = (await session.Query<User>().Select(u => u.Id).ToListAsync(ct))
            .FirstOrDefault(other => other != name && UserNames.Skeleton(other) == skeleton);
        if (lookAlike != null)
            throw new ArgumentException($"'{name}' cannot be told apart from the user '{lookAlike}' (names are compared ignoring case, accents and look-alike letters)");
        var now = clock.GetUtcNow();
        var existing = await session.LoadAsync<User>(name, ct);
        session.Store(existing is null ? new User(name, role, now) : existing with { Role = role });
        session.Store(new ApiKey(Hash(key), name, role, now, key[..Math.Min(8, key.Length)]));
        // A role change must not leave older keys with the old role.
        if (existing is not null && existing.Role != role)
            session.DeleteWhere<ApiKey>(k => k.UserName == name && k.Role != role);
        await session.SaveChangesAsync(ct);
        return key;
    }
}
