using Npgsql;

namespace ClaimLedger.Hosting;

/// <summary>
/// Which PostgreSQL ClaimLedger uses: <c>ConnectionStrings:ClaimLedger</c> when configured, else one it provisions
/// itself (<see cref="LocalPostgres"/>). Only a self-provisioned database gets demo users and demo data.
/// </summary>
public sealed record LedgerDatabase(string ConnectionString, bool SelfProvisioned)
{
    public const string DefaultDatabaseName = "claimledger";

    public static LedgerDatabase Resolve(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(LocalPostgres.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured)) return new LedgerDatabase(configured, false);

        // Start-up only, once per process, before any request: blocking here is harmless.
        var server = LocalPostgres.EnsureServerAsync().GetAwaiter().GetResult();
        var connection = LocalPostgres.EnsureDatabaseAsync(server, DefaultDatabaseName).GetAwaiter().GetResult();
        return new LedgerDatabase(connection, true);
    }

    public string Describe()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }
}
