using Npgsql;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>What a user would pick instead: a claims row updated and an audit row inserted, in one transaction.</summary>
    private async Task CrudAsync()
    {
        await log.WriteLineAsync("2. CRUD: UPDATE a claims row + INSERT an audit row");
        await ExecAsync("create table if not exists bench_claims (id uuid primary key, data jsonb not null, version int not null)");
        await ExecAsync("create table if not exists bench_audit (id bigserial primary key, claim_id uuid not null, data jsonb not null, at timestamptz not null default now())");
        var ids = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToArray();
        await using (var conn = await OpenAsync())
        await using (var copy = await conn.BeginTextImportAsync("copy bench_claims (id, data, version) from stdin"))
            foreach (var id in ids) await copy.WriteLineAsync($"{id}\t{{}}\t1");
        var crud = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (w, i) =>
        {
            var id = ids[(w * 7919 + i * 31) % ids.Length];
            await using var conn = await OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using (var update = new NpgsqlCommand("update bench_claims set data = @d::jsonb, version = version + 1 where id = @id", conn, tx))
            {
                update.Parameters.AddWithValue("d", Payload);
                update.Parameters.AddWithValue("id", id);
                await update.ExecuteNonQueryAsync();
            }
            await using (var audit = new NpgsqlCommand("insert into bench_audit (claim_id, data) values (@id, @d::jsonb)", conn, tx))
            {
                audit.Parameters.AddWithValue("d", Payload);
                audit.Parameters.AddWithValue("id", id);
                await audit.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
            return 1;
        });
        Add("CRUD", "UPDATE + audit INSERT per transaction, 8 connections", crud, "writes/s");
    }
}
