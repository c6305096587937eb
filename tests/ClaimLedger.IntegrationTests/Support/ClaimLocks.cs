using Npgsql;

namespace ClaimLedger.IntegrationTests.Support;

public static class ClaimLocks
{
    /// <summary>
    /// Holds a claim's stream row locked (as a writer's exclusive load does) from outside the API until disposed: its
    /// writers stop at their own exclusive load.
    /// </summary>
    public static async Task<IAsyncDisposable> HoldClaimAsync(this LedgerApi api, Guid claim)
    {
        // Not pooled: closing the connection ends its transaction and so releases the lock.
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using (var begin = new NpgsqlCommand("begin", conn)) await begin.ExecuteNonQueryAsync();
        await using var cmd = new NpgsqlCommand("select 1 from claimledger.mt_streams where id = $1 for update", conn);
        cmd.Parameters.AddWithValue(claim);
        (await cmd.ExecuteScalarAsync()).ShouldBe(1, "the claim's stream exists");
        return conn;
    }
}
