using ClaimLedger.Claims;
using ClaimLedger.Storage;
using ClaimLedger.Web;
using Marten;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace ClaimLedger.Access;

/// <summary>What a change to users and keys came to: the account after it, or why it was refused.</summary>
public sealed record AccessOutcome(UserAccount? Account, IReadOnlyList<object> Events, Refusal? Refusal);

/// <summary>
/// The frame of every change to users and keys, from the API and the command line alike: the changes are serialised by
/// one lock (they are rare, and a new name must be compared with every other under it), decided by
/// <see cref="AccessRules"/> on every user as it stands under the lock, and appended to the user's stream with, in the
/// same transaction, the hash of a key it issues and a notification that every node's key cache hears
/// (<see cref="AccessChanges"/>).
/// </summary>
public static class UserDirectory
{
    /// <summary>The SHA-256 of each issued key, the key's id and its user: what authenticates a key (never in an event).</summary>
    public const string KeyHashes = "claimledger.api_key_hashes";

    private const long UsersLock = 0x636c_7573_6572_73; // "clusers"

    /// <summary>The actor of changes made on the command line: no user's name holds a colon, so no user can be it.</summary>
    public static string OperatorName()
    {
        var name = $"cli:{Environment.UserName}";
        return UserNames.IsRecordable(name) ? name : "cli:operator";
    }

    /// <summary>Decides and writes, in a session of its own; the caller then shows the key it issued (once).</summary>
    public static async Task<AccessOutcome> WriteAsync(IDocumentStore store, string actor, Func<IReadOnlyList<UserAccount>, IReadOnlyList<AccessCommand>> commands,
        NewApiKey? issued, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var outcome = await DecideAsync(session, actor, commands, issued, null, ct);
        if (outcome.Outcome.Refusal is null) await session.SaveChangesAsync(CancellationToken.None);
        return outcome.Outcome;
    }

    /// <summary>
    /// Opens the write's transaction, takes the users' lock (and an Idempotency-Key's), reads every user, decides the
    /// commands in turn, and queues what they decided on <paramref name="session"/>: saving it commits them. A repeat of
    /// an Idempotency-Key answers as its first request did (<c>Replay</c>), deciding nothing.
    /// </summary>
    public static async Task<(AccessOutcome Outcome, IResult? Replay)> DecideAsync(IDocumentSession session, string actor,
        Func<IReadOnlyList<UserAccount>, IReadOnlyList<AccessCommand>> commands, NewApiKey? issued, IdempotencyKey? idempotency, CancellationToken ct)
    {
        session.LastModifiedBy = actor;
        var transaction = await LedgerTransaction.StartAsync(session, ct);
        var first = idempotency?.GuardAsync(transaction.Reads);
        _ = transaction.Reads.Query<string>("select 'locked' from (select pg_advisory_xact_lock(?)) as locked", UsersLock);
        var read = transaction.Reads.Query<UserAccount>().ToList();
        await transaction.OpenAsync(ct);
        if (first != null && idempotency!.Replay(await first) is { } replay) return (new AccessOutcome(null, [], null), replay);

        var users = (await read).ToList();
        var events = new List<object>();
        UserAccount? account = null;
        foreach (var command in commands(users))
        {
            var decision = AccessRules.Decide(users, command);
            if (decision.Refusal is { } refusal) return (new AccessOutcome(null, [], refusal), null);
            var before = users.FirstOrDefault(u => u.Name == ((IUserEvent)decision.Events[0]).Name);
            if (account != null && account.Id != before?.Id) throw new ArgumentException("the commands of one write are about one user", nameof(commands));
            account = UserAccount.Folding(before, decision.Events, actor, DateTimeOffset.UtcNow)!;
            users = [.. users.Where(u => u.Id != account.Id), account];
            events.AddRange(decision.Events);
        }
        if (account is null) return (new AccessOutcome(null, [], null), null);

        var version = account.Version;
        if (version == events.Count) session.Events.StartStream<UserAccount>(account.Id, events.ToArray());
        else session.Events.Append(account.Id, version, events.ToArray());
        foreach (var key in events.OfType<KeyIssued>())
            if (issued?.Id == key.KeyId)
                session.QueueSqlCommand($"insert into {KeyHashes} (hash, key_id, user_id) values (?, ?, ?)", issued.Hash, issued.Id, account.Id);
        // PostgreSQL delivers a notification when, and only if, its transaction commits.
        session.QueueSqlCommand($"notify {AccessChanges.Channel}");
        return (new AccessOutcome(account, events, null), null);
    }

    /// <summary>The user and the key a key's hash names, if the key was ever issued; null otherwise.</summary>
    public static async Task<(UserAccount Account, Guid KeyId)?> FindKeyAsync(NpgsqlDataSource dataSource, Marten.ISerializer serializer,
        string hash, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select k.key_id, a.data from {KeyHashes} k join claimledger.mt_doc_useraccount a on a.id = k.user_id where k.hash = @hash", conn);
        cmd.Parameters.AddWithValue("hash", hash);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return (serializer.FromJson<UserAccount>(reader, 1), reader.GetGuid(0));
    }

    /// <summary>When each key was last used, as the nodes have recorded it (<see cref="KeyUses"/>).</summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> LastUsesAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"select key_id, last_used_at from {KeyHashes} where last_used_at is not null", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var uses = new Dictionary<Guid, DateTimeOffset>();
        while (await reader.ReadAsync(ct)) uses[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return uses;
    }

    public static Table KeyHashesTable()
    {
        var table = new Table(KeyHashes);
        table.AddColumn<string>("hash").AsPrimaryKey();
        table.AddColumn<Guid>("key_id").NotNull().AddIndex(i => i.IsUnique = true);
        table.AddColumn<Guid>("user_id").NotNull();
        table.AddColumn("last_used_at", "timestamptz");
        return table;
    }
}
