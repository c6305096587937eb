using ClaimLedger.Storage;
using Npgsql;

namespace ClaimLedger.Access;

/// <summary>
/// How every node hears of a change to users and keys at once. The transaction that makes a change notifies the channel
/// <see cref="Channel"/> (PostgreSQL delivers a notification when, and only if, its transaction commits), and each node
/// listens on a connection of its own. A change moves the node's <see cref="Generation"/> on, and key lookups are cached
/// per generation (<see cref="ApiKeyAuthentication"/>): a revoked key is refused on every node as soon as the
/// notification arrives, a few milliseconds after the commit.
/// </summary>
/// <remarks>
/// While the node is not listening (starting, or its connection lost) it may miss a notification, so lookups are cached
/// for <see cref="UnheardLifetime"/> only, and the generation moves on when it listens again.
/// </remarks>
public sealed class AccessChanges(LedgerDatabase database, ILogger<AccessChanges> logger) : BackgroundService
{
    public const string Channel = "claimledger_access";

    /// <summary>How long a lookup is cached while changes may go unheard: within the second a revocation is promised in.</summary>
    public static readonly TimeSpan UnheardLifetime = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a quiet listening connection is checked, so that a lost one is noticed.</summary>
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(5);

    private long _generation;
    private volatile bool _listening;

    /// <summary>Moves on with every change heard of; lookups made under an older generation are no longer used.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool Listening => _listening;

    /// <summary>How long a key lookup made now may be used.</summary>
    public TimeSpan CacheLifetime => _listening ? ApiKeyAuthentication.KeyCacheLifetime : UnheardLifetime;

    /// <summary>A change was made (here, or heard of from another node).</summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        // Its own connection, outside the pool: a pooled connection returned with LISTEN on it would be reset.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, CommandTimeout = 5 }.ConnectionString;
        var lost = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connectionString);
                await conn.OpenAsync(stop);
                conn.Notification += (_, _) => Changed();
                await using (var listen = new NpgsqlCommand($"listen {Channel}", conn)) await listen.ExecuteNonQueryAsync(stop);
                _listening = true;
                Changed(); // what changed while no one listened
                if (lost) logger.LogInformation("Listening again for changes to users and keys");
                lost = false;
                while (!stop.IsCancellationRequested)
                {
                    if (await conn.WaitAsync(Check, stop)) continue;
                    await using var ping = new NpgsqlCommand("select 1", conn);
                    await ping.ExecuteScalarAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                _listening = false;
                Changed();
                if (!lost) logger.LogWarning(e, "Not listening for changes to users and keys; API keys are looked up again every {Lifetime} ms until it listens",
                    UnheardLifetime.TotalMilliseconds);
                lost = true;
                try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { }
            }
        }
        _listening = false;
    }
}
