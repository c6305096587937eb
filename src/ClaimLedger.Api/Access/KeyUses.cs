using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace ClaimLedger.Access;

/// <summary>
/// When each key was last used: noted in memory by every authenticated request (no write on the request's path) and
/// written every <see cref="Every"/> in one statement, so the users' list shows it to within that time.
/// </summary>
public sealed class KeyUses(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<KeyUses> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private ConcurrentDictionary<Guid, DateTimeOffset> _noted = new();

    public void Note(Guid keyId) => _noted[keyId] = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(Every, stop); }
            catch (OperationCanceledException) { break; }
            await FlushAsync(stop);
        }
        await FlushAsync(CancellationToken.None);
    }

    /// <summary>Writes the uses noted since the last flush; those that fail to be written are noted again.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var noted = Interlocked.Exchange(ref _noted, new ConcurrentDictionary<Guid, DateTimeOffset>());
        if (noted.IsEmpty) return;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand(
                $"update {UserDirectory.KeyHashes} k set last_used_at = greatest(k.last_used_at, u.at) " +
                "from unnest(@ids, @ats) as u(id, at) where k.key_id = u.id", conn);
            cmd.Parameters.AddWithValue("ids", noted.Keys.ToArray());
            cmd.Parameters.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = noted.Values.ToArray() });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            foreach (var (key, at) in noted) _noted.AddOrUpdate(key, at, (_, later) => later > at ? later : at);
            if (e is NpgsqlException) logger.LogDebug(e, "The keys' last uses could not be written; they are kept for the next try");
        }
    }
}
