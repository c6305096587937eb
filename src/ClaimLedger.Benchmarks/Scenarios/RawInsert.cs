using Npgsql;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>The physical limit: rows inserted with Npgsql, one per transaction and in batches of 100.</summary>
    private async Task<double> RawInsertAsync()
    {
        await log.WriteLineAsync("1. Raw Npgsql INSERT");
        await ExecAsync("create table if not exists bench_raw (seq bigserial primary key, stream_id uuid not null, version int not null, type text not null, data jsonb not null, ts timestamptz not null default now())");
        var single = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (_, _) =>
        {
            await using var conn = await OpenAsync();
            await using var cmd = new NpgsqlCommand("insert into bench_raw (stream_id, version, type, data) values (@s, 1, 'claim_submitted', @d::jsonb)", conn);
            cmd.Parameters.AddWithValue("s", Guid.NewGuid());
            cmd.Parameters.AddWithValue("d", Payload);
            await cmd.ExecuteNonQueryAsync();
            return 1;
        });
        Add("Raw INSERT", "one row per transaction, 8 connections", single, "events/s");
        var batched = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (_, _) =>
        {
            await using var conn = await OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch(conn, tx);
            for (var i = 0; i < 100; i++)
            {
                var c = new NpgsqlBatchCommand("insert into bench_raw (stream_id, version, type, data) values ($1, 1, 'claim_submitted', $2::jsonb)");
                c.Parameters.AddWithValue(Guid.NewGuid());
                c.Parameters.AddWithValue(Payload);
                batch.BatchCommands.Add(c);
            }
            await batch.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            return 100;
        });
        Add("Raw INSERT", "batches of 100 per transaction, 8 connections", batched, "events/s");
        return single;
    }
}
