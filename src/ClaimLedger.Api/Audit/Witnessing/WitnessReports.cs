using Npgsql;

namespace ClaimLedger.Audit.Witnessing;

/// <summary>
/// What a witness last said of this log: <see cref="TreeSize"/> the largest checkpoint it cosigned, <see cref="Ok"/>
/// false when it refused one (a split view: a checkpoint inconsistent with what it cosigned, or a key it does not
/// accept). An unreachable witness is not a refusal: <see cref="Reason"/> says so, <see cref="Ok"/> stays as it was.
/// </summary>
public sealed record WitnessReport(string Name, long TreeSize, bool Ok, string? Reason);

/// <summary>The log's record of its witnesses, one row per witness (<see cref="LedgerSchema.Witnesses"/>).</summary>
public sealed class WitnessReports(NpgsqlDataSource dataSource, TlogSettings settings)
{
    /// <summary>The configured witnesses, each with what it last said (size 0, ok, "not asked yet" before the first answer).</summary>
    public async Task<IReadOnlyList<WitnessReport>?> ReadAsync(CancellationToken ct)
    {
        if (settings.Witnesses.Count == 0) return null;
        var stored = new Dictionary<string, WitnessReport>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"select witness, tree_size, ok, reason from {LedgerSchema.Witnesses}", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            stored[reader.GetString(0)] = new WitnessReport(reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        return settings.Witnesses.Select(w => stored.GetValueOrDefault(w.Name) ?? new WitnessReport(w.Name, 0, true, "not asked yet")).ToList();
    }

    public async Task<WitnessReport?> ReadAsync(string witness, CancellationToken ct) =>
        (await ReadAsync(ct))?.FirstOrDefault(w => w.Name == witness);

    public async Task WriteAsync(WitnessReport report, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"insert into {LedgerSchema.Witnesses} (witness, tree_size, ok, reason, checked_at) values (@w, @s, @ok, @r, now()) " +
            "on conflict (witness) do update set tree_size = excluded.tree_size, ok = excluded.ok, reason = excluded.reason, checked_at = excluded.checked_at", conn);
        cmd.Parameters.AddWithValue("w", report.Name);
        cmd.Parameters.AddWithValue("s", report.TreeSize);
        cmd.Parameters.AddWithValue("ok", report.Ok);
        cmd.Parameters.AddWithValue("r", (object?)report.Reason ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task KeepCosignatureAsync(long treeSize, string witness, string line, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"insert into {LedgerSchema.Cosignatures} (tree_size, witness, line) values (@s, @w, @l) on conflict (tree_size, witness) do update set line = excluded.line", conn);
        cmd.Parameters.AddWithValue("s", treeSize);
        cmd.Parameters.AddWithValue("w", witness);
        cmd.Parameters.AddWithValue("l", line);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
