using ClaimLedger.Audit;
using ClaimLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>Helpers for tests that look at (or tamper with) the ledger's tables.</summary>
public static class LedgerAccess
{
    public static async Task<long> ScalarAsync(this LedgerApi api, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public static async Task ExecuteAsync(this LedgerApi api, string sql)
    {
        await using var conn = new NpgsqlConnection(api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until every event is a leaf and a checkpoint covers them all.</summary>
    public static async Task SettleAsync(this LedgerApi api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var events = await api.ScalarAsync($"select count(*) from claimledger.mt_events where {LedgerSchema.IsRecord}");
            var leaves = await api.ScalarAsync("select count(*) from claimledger.ledger_leaves");
            var checkpointed = await api.ScalarAsync("select coalesce(max(tree_size), 0) from claimledger.ledger_checkpoints");
            if (events > 0 && leaves == events && checkpointed == events) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the ledger did not settle: events are not all in a signed checkpoint");
    }

    /// <summary>A few claims with a little lifecycle, settled into a checkpoint and into the revision history.</summary>
    public static async Task<List<Guid>> SeedAsync(this LedgerApi api, int claims = 6)
    {
        var source = await api.Source();
        var figure = await api.Figure();
        var ids = new List<Guid>();
        for (var i = 0; i < claims; i++)
        {
            var id = await api.Claim(source, figure, 100 + i, $"originator {i % 2}");
            await api.Post($"/api/claims/{id}/evidence", new { sourceId = source, stance = "supports", note = $"n{i}" });
            ids.Add(id);
        }
        await api.SettleAsync();
        // The revision history is projected apart from the ledger: the tests read both.
        await api.WaitForProjectionsAsync();
        return ids;
    }
}
