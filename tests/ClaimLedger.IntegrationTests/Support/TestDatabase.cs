using Npgsql;
using ClaimLedger.Local;

namespace ClaimLedger.IntegrationTests.Support;

/// <summary>
/// A fresh database for a test host, on the server the runner would provision (or the one named by
/// <c>CLAIMLEDGER_TEST_CONNECTION</c>, which needs the right to create databases).
/// </summary>
public static class TestDatabase
{
    public const string OverrideVariable = "CLAIMLEDGER_TEST_CONNECTION";
    private static int _cleaned;

    public static async Task<string> ServerAsync()
    {
        var configured = Environment.GetEnvironmentVariable(OverrideVariable);
        return string.IsNullOrWhiteSpace(configured) ? await LocalPostgres.EnsureServerAsync() : configured;
    }

    public static async Task<string> CreateAsync(string purpose)
    {
        var server = await ServerAsync();
        if (Interlocked.Exchange(ref _cleaned, 1) == 0) await DropStaleAsync(server);
        var name = $"cltest_{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        name = name[..Math.Min(name.Length, 63)];
        return await LocalPostgres.EnsureDatabaseAsync(server, name);
    }

    /// <summary>Test databases older than six hours are left-overs of earlier runs.</summary>
    private static async Task DropStaleAsync(string server)
    {
        var cutoff = DateTimeOffset.UtcNow.AddHours(-6).ToUnixTimeSeconds();
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
        await conn.OpenAsync();
        var stale = new List<string>();
        await using (var cmd = new NpgsqlCommand("select datname from pg_database where datname like 'cltest\\_%'", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var name = reader.GetString(0);
                var parts = name.Split('_');
                if (parts.Length > 1 && long.TryParse(parts[1], out var t) && t < cutoff) stale.Add(name);
            }
        foreach (var name in stale)
        {
            await using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
