using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;

namespace ClaimLedger.Access;

// ---- Events: a user's stream records its account and keys. The actor is the admin (or the command line's operator). ----
// A key is named by its id and the first characters of the key; the key and its hash are never in an event.

/// <summary>Every user/key event names the user it is about: its stream is the user's (<see cref="UserAccount.StreamIdOf"/>).</summary>
public interface IUserEvent
{
    string Name { get; }
}

/// <summary>A user was added with a role; its name is the actor recorded on every event it appends.</summary>
public sealed record UserAdded(string Name, string Role) : IUserEvent;

/// <summary>A user's role changed: every key of the user acts with the new role from now on.</summary>
public sealed record RoleChanged(string Name, string From, string To) : IUserEvent;

/// <summary>A key was issued to a user; the key itself was shown once, to the one who asked for it.</summary>
public sealed record KeyIssued(string Name, Guid KeyId, string Prefix) : IUserEvent;

/// <summary>A key was revoked: it is refused from now on, on every node.</summary>
public sealed record KeyRevoked(string Name, Guid KeyId) : IUserEvent;

public sealed record UserKey(Guid KeyId, string Prefix, DateTimeOffset IssuedAt, string IssuedBy, DateTimeOffset? RevokedAt = null, string? RevokedBy = null)
{
    public bool Revoked => RevokedAt is not null;
}

/// <summary>
/// A user as the ledger knows it, rebuilt from its stream: its role and its keys (by id and prefix; the hashes that
/// authenticate them are kept beside, <see cref="UserDirectory.KeyHashes"/>).
/// </summary>
public sealed record UserAccount
{
    public Guid Id { get; init; }
    public long Version { get; set; }
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public IReadOnlyList<UserKey> Keys { get; init; } = [];

    /// <summary>A user's stream id follows from its name (stored in NFC), so a name names one stream.</summary>
    public static Guid StreamIdOf(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("claimledger/user/" + name));
        hash[6] = (byte)(hash[6] & 0x0F | 0x80); // an RFC 9562 version 8 (custom) UUID
        hash[8] = (byte)(hash[8] & 0x3F | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public static UserAccount Create(IEvent<UserAdded> e) => new()
    {
        Id = StreamIdOf(e.Data.Name), Name = e.Data.Name, Role = e.Data.Role, CreatedAt = e.Timestamp, CreatedBy = e.UserName ?? "",
    };

    public UserAccount Apply(IEvent<RoleChanged> e) => this with { Role = e.Data.To };

    public UserAccount Apply(IEvent<KeyIssued> e) =>
        this with { Keys = [.. Keys, new UserKey(e.Data.KeyId, e.Data.Prefix, e.Timestamp, e.UserName ?? "")] };

    public UserAccount Apply(IEvent<KeyRevoked> e) => this with
    {
        Keys = Keys.Select(k => k.KeyId == e.Data.KeyId ? k with { RevokedAt = e.Timestamp, RevokedBy = e.UserName ?? "" } : k).ToList(),
    };

    /// <summary>The account after events decided but not yet stored, folded as the projection will fold them.</summary>
    public static UserAccount? Folding(UserAccount? account, IEnumerable<object> events, string actor, DateTimeOffset at)
    {
        foreach (var data in events)
        {
            account = data switch
            {
                UserAdded e => Create(Wrap(e)),
                RoleChanged e => account!.Apply(Wrap(e)),
                KeyIssued e => account!.Apply(Wrap(e)),
                KeyRevoked e => account!.Apply(Wrap(e)),
                _ => throw new ArgumentOutOfRangeException(nameof(events), data.GetType().Name),
            };
            account.Version++;
        }
        return account;

        IEvent<T> Wrap<T>(T data) where T : notnull => new Event<T>(data) { UserName = actor, Timestamp = at };
    }
}

/// <summary>A key being issued: the key (shown once, to its caller), and what the ledger keeps of it.</summary>
public sealed record NewApiKey(string Key)
{
    public const int PrefixLength = 8;

    public Guid Id { get; } = Guid.CreateVersion7();
    public string Prefix => Key[..Math.Min(PrefixLength, Key.Length)];
    public string Hash => ApiKeys.Hash(Key);

    public static NewApiKey Create() => new(ApiKeys.NewKey());
}

public static class ApiKeys
{
    private const string KeyPrefix = "clk_";

    /// <summary>A new random key: 256 bits, URL-safe. Keys are high-entropy, so one SHA-256 suffices to store them.</summary>
    public static string NewKey() => KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Makes sure the user exists with this role (adding it, or changing its role) and issues it a new key, as the command
    /// line's operator; returns the key, which is not stored. For the local runner's demo users, the tests and the
    /// benchmarks. A name that breaks the rules (<see cref="UserNames"/>) or looks like another user's is refused with an
    /// <see cref="ArgumentException"/> whose message says why.
    /// </summary>
    /// <param name="clock">Unused: the times recorded are the events'. Kept so that callers need not change.</param>
    public static async Task<string> IssueAsync(IDocumentStore store, string name, string role, TimeProvider clock, string? key = null,
        CancellationToken ct = default, string? actor = null)
    {
        if (!UserNames.TryNormalise(name, out var normalised, out var refusal)) throw new ArgumentException(refusal, nameof(name));
        var issued = key is null ? NewApiKey.Create() : new NewApiKey(key);
        var outcome = await UserDirectory.WriteAsync(store, actor ?? UserDirectory.OperatorName(), users =>
        {
            var existing = users.FirstOrDefault(u => u.Name == normalised);
            if (existing is null) return [new AddUser(normalised, role, issued.Id, issued.Prefix)];
            return existing.Role == role
                ? [new IssueKey(normalised, issued.Id, issued.Prefix)]
                : [new ChangeRole(normalised, role), new IssueKey(normalised, issued.Id, issued.Prefix)];
        }, issued, ct);
        if (outcome.Refusal is { } refused) throw new ArgumentException(refused.Reason, refused.Field);
        return issued.Key;
    }
}
