using ClaimLedger.Figures;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Support;

public static class FigureLocks
{
    /// <summary>Holds a figure's writer lock from outside the API until disposed: its writers stop at it.</summary>
    public static async Task<IAsyncDisposable> HoldFigureAsync(this LedgerApi api, Guid figure)
    {
        // Not pooled: a pooled connection keeps its session's locks when it is given back.
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select pg_advisory_lock($1, $2)", conn);
        cmd.Parameters.AddWithValue(FigureLock.LockSpace);
        cmd.Parameters.AddWithValue(FigureLock.Key(figure));
        await cmd.ExecuteNonQueryAsync();
        return conn; // closing the connection releases the lock
    }
}
