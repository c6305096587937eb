using Marten;
using Marten.Services;
using Npgsql;

namespace ClaimLedger.Storage;

/// <summary>
/// The workaround, in one place, for statements Npgsql leaves half prepared: after PostgreSQL refuses a statement, the
/// connection pool is cleared, so that no connection it may have left out of step with the server is used again.
/// </summary>
/// <remarks>
/// <para>
/// Npgsql (10.0.3, the latest) prepares a statement in the round trip of its second use on a connection
/// (<see cref="LedgerDatabase.Tuned"/>): Parse with a name, Bind, Describe, Execute. It records the statement as prepared
/// when the Parse is answered. When PostgreSQL then refuses the Bind — a parameter its input function rejects (jsonb
/// holding <c>\u0000</c>, text holding NUL), or an error raised while planning with the values (a cancel, a division by
/// zero folded from a parameter) —, the row description that the Describe would have brought never arrives: the statement
/// stays prepared as one that returns no rows. Its next execution on that connection skips the Describe, the first row
/// arrives where Npgsql expects the end of the statement, and Npgsql throws "Received unexpected backend message DataRow"
/// and breaks the connection, after PostgreSQL has run the whole round trip: a group of submissions whose COMMIT travels
/// in that round trip (<see cref="Throughput.GroupCommit.CommitWithTheWrite"/>) is stored and answered 500. An error raised while executing
/// (after the Describe) leaves nothing behind. The same bug is reported as npgsql/npgsql#6391, still open.
/// <c>HalfPreparedStatementsTests</c> pins Npgsql's behaviour: when it passes no more, this class can go.
/// </para>
/// <para>
/// Where a refusal is seen: every failure Marten reports, since this is the store's logger (units of work, commands,
/// reads in a transaction, a group's write that <see cref="Throughput.GroupCommit.SubmissionGroups"/> then retries), and every
/// failure that escapes a request (<see cref="WatchAsync"/>: Marten does not report a read outside a transaction, and a
/// client hanging up cancels its statement, which PostgreSQL refuses as 57014 — possibly while binding it).
/// </para>
/// <para>
/// Why the whole pool: Marten closes such a connection before the failure reaches either place (a read outside a
/// transaction, a unit of work it rolled back), so the connection may already be back in the pool; and Npgsql's public
/// API can neither forget the statements of a pooled connection nor discard one connection on its own (Marten clears its
/// data source for the same reason when it cannot reset a connection). Clearing closes the idle connections at once and
/// the busy ones (the refused one among them while its owner still holds it) when they are returned; fresh connections
/// prepare their statements again. It costs a few connections' start-up, and only on a refusal, which no request with a
/// valid body causes (what PostgreSQL cannot store is refused as 400 first, <see cref="JsonSetup.RequestOptions"/>).
/// What it cannot close: the moment between Marten returning the connection and the failure reaching this class, when a
/// request waiting for a connection could be handed that one.
/// </para>
/// <para>
/// Refusals that PostgreSQL raises only while executing, and that writers meet in normal operation, leave the pool alone:
/// integrity violations (class 23: a stream or an idempotency record written twice) and a picture that moved on
/// (<see cref="Throughput.GroupCommit.CommittedPictures.MovedState"/>), as do 25P02s, which follow a refusal already handled.
/// </para>
/// <para>
/// As the store's logger it also writes what Marten's default logger wrote: failures (error) and schema changes
/// (information), under the same category.
/// </para>
/// </remarks>
public sealed class HalfPreparedStatements(NpgsqlDataSource dataSource, ILogger<IDocumentStore> logger) : IMartenLogger, IMartenSessionLogger
{
    /// <summary>Whether PostgreSQL refused a statement in a way that may have left it half prepared.</summary>
    public static bool MayHaveLeftHalfPrepared(Exception e)
    {
        foreach (var refusal in PostgresRefusals(e))
        {
            if (refusal.SqlState.StartsWith("23", StringComparison.Ordinal)) continue;
            if (refusal.SqlState is Throughput.GroupCommit.CommittedPictures.MovedState or PostgresErrorCodes.InFailedSqlTransaction) continue;
            return true;
        }
        return false;
    }

    private static IEnumerable<PostgresException> PostgresRefusals(Exception? e)
    {
        for (; e != null; e = e.InnerException)
        {
            if (e is PostgresException refusal) yield return refusal;
            if (e is AggregateException many)
                foreach (var inner in many.InnerExceptions.SelectMany(PostgresRefusals)) yield return inner;
        }
    }

    /// <summary>Failures already acted on: Marten reports some twice (the batch, then the unit of work it rolled back).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Exception, object> _seen = new();

    /// <summary>
    /// Every request runs under this watch: a refusal that escapes a request is seen here even when Marten did not report
    /// it (a read outside a transaction) or when the client hung up (its cancelled statement is refused as 57014).
    /// </summary>
    public async Task WatchAsync(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http);
        }
        catch (Exception e)
        {
            Refused(e);
            throw;
        }
    }

    /// <summary>Acts on a failure: clears the pool when PostgreSQL refused a statement that may have been left half prepared.</summary>
    public void Refused(Exception e)
    {
        if (!MayHaveLeftHalfPrepared(e) || !_seen.TryAdd(e, e)) return;
        dataSource.Clear();
    }

    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Marten executed DDL:\n{Sql}", sql);

    public void LogFailure(NpgsqlCommand command, Exception ex)
    {
        Refused(ex);
        logger.LogError(ex, "Marten encountered an exception executing\n{Sql}", command.CommandText);
    }

    public void LogFailure(NpgsqlBatch batch, Exception ex)
    {
        Refused(ex);
        logger.LogError(ex, "Marten encountered an exception executing\n{Sql}",
            string.Join("\n", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText)));
    }

    public void LogFailure(Exception ex, string message)
    {
        Refused(ex);
        logger.LogError(ex, "{Message}", message);
    }

    public void OnBeforeExecute(NpgsqlCommand command) { }
    public void OnBeforeExecute(NpgsqlBatch batch) { }
    public void LogSuccess(NpgsqlCommand command) { }
    public void LogSuccess(NpgsqlBatch batch) { }
    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }
}
