using System.Globalization;
using Marten;
using Npgsql;
using ClaimLedger.Web;

namespace ClaimLedger.Storage;

/// <summary>
/// What became of a commit whose answer never arrived (the connection broke during it, or came back out of step): its
/// transaction is asked for by id, on a fresh connection, until PostgreSQL says it committed or aborted. A write that was
/// stored is then acknowledged, and one that was not is refused or written again: never a 5xx for what is stored, never
/// a 2xx for what is not.
/// </summary>
public static class CommitsInDoubt
{
    /// <summary>How long a node keeps asking before it gives a commit up as unknown (a 503: retry with the Idempotency-Key).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a failure leaves a commit's outcome unknown: the connection failed (or was found out of step) instead of
    /// PostgreSQL answering with an error, which would mean the transaction rolled back.
    /// </summary>
    public static bool InDoubt(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
        {
            if (x is PostgresException) return ProblemExceptionHandler.IsDatabaseAway(e);
            if (x is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException) return true;
        }
        return false;
    }

    /// <summary>
    /// True when the transaction committed, false when it aborted, null when PostgreSQL cannot tell (it is reachable no
    /// longer, or the id is too old to be remembered) within <paramref name="patience"/>.
    /// </summary>
    public static Task<bool?> CommittedAsync(IDocumentStore store, string? transactionId, TimeSpan patience) =>
        AskAsync(store, patience, async connection =>
        {
            if (!ulong.TryParse(transactionId, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return (true, null);
            await using var status = new NpgsqlCommand("select pg_xact_status($1::xid8)", connection);
            status.Parameters.AddWithValue(transactionId!);
            return await status.ExecuteScalarAsync(CancellationToken.None) switch
            {
                "committed" => (true, true),
                "aborted" => (true, false),
                "in progress" => (false, null), // the backend is still finishing the round trip the client stopped hearing
                _ => (true, null),
            };
        });

    /// <summary>Asks on a fresh connection until the answer is final or <paramref name="patience"/> runs out.</summary>
    internal static async Task<bool?> AskAsync(IDocumentStore store, TimeSpan patience, Func<NpgsqlConnection, Task<(bool Final, bool? Committed)>> ask)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(CancellationToken.None);
                var (final, committed) = await ask(connection);
                if (final) return committed;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                // Still unreachable: ask again until the deadline.
            }
            if (DateTime.UtcNow > deadline) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
