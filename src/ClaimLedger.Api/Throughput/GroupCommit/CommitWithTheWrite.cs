using System.Data.Common;
using ClaimLedger.Storage;
using Marten;
using Marten.Services;
using SessionOptions = Marten.Services.SessionOptions;
using Npgsql;
using Weasel.Core;
using Weasel.Storage;

namespace ClaimLedger.Throughput.GroupCommit;

/// <summary>
/// A session whose COMMIT is the last statement of the round trip that writes it, instead of a round trip of its own.
/// Marten commits in a round trip after its writes; here the session runs in a transaction this class owns, and the
/// COMMIT is queued behind every operation of the unit of work, so the writes and the commit reach PostgreSQL together.
/// </summary>
/// <remarks>
/// <para>
/// Why: under load every round trip wakes both processes, and on a 2-core VM a wake costs 100–300 µs (docs/benchmarks.md);
/// a group of submissions is then one round trip when everything it refers to is known here, two when it reads first.
/// Measured (docs/benchmarks.md, ninth session), alternating <c>--ratio</c> runs without and with it: HTTP ÷ Marten alone
/// 0.489, 0.459, 0.432 → 0.528, 0.493, 0.487; the CPU per submission (API and PostgreSQL) 8 % lower.
/// </para>
/// <para>
/// What a caller sees is what Marten's own commit gives: <see cref="IDocumentSession.SaveChangesAsync"/> returns once the
/// COMMIT has succeeded; a statement that fails (including the COMMIT) throws the <see cref="PostgresException"/> and
/// nothing is committed (PostgreSQL skips the rest of the round trip, the transaction is rolled back on disposal); a
/// connection lost during the round trip leaves the commit in doubt, as it would during a separate COMMIT.
/// </para>
/// <para>
/// The COMMIT is queued from a listener on this session alone, which Marten calls after the unit of work is complete
/// (events, inline projections, sorted documents): nothing is added after it. The session is good for one
/// <see cref="IDocumentSession.SaveChangesAsync"/>: a second is refused, its transaction being over.
/// </para>
/// </remarks>
public sealed class CommitWithTheWrite : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    public IDocumentSession Session { get; }

    /// <summary>The PostgreSQL backend running the transaction (what <see cref="CommitsInDoubt"/> waits for).</summary>
    public int BackendProcessId => _connection.ProcessID;

    private CommitWithTheWrite(NpgsqlConnection connection, NpgsqlTransaction transaction, IDocumentSession session)
    {
        _connection = connection;
        _transaction = transaction;
        Session = session;
    }

    /// <summary>Opens a pooled connection and begins its transaction (Npgsql sends BEGIN with the first statement).</summary>
    public static async Task<CommitWithTheWrite> OpenAsync(IDocumentStore store, CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct);
            var session = store.LightweightSession(SessionOptions.ForTransaction(transaction).ListenAt(new CommitLast()));
            return new CommitWithTheWrite(connection, transaction, session);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        // Rolls back only a transaction still open (a write refused, or never saved); a committed one is left alone.
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private sealed class CommitLast : DocumentSessionListenerBase
    {
        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            session.QueueOperation(new Commit());
            return Task.CompletedTask;
        }
    }

    private sealed class Commit : Weasel.Storage.IStorageOperation
    {
        // No document type: Marten neither sorts it among documents nor ensures a table for it.
        public Type DocumentType => null!;

        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session) => builder.Append("commit");

        // Its one result (the command tag): Marten moves past it, and a failed COMMIT throws there.
        public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

        public OperationRole Role() => OperationRole.Other;
    }
}
