using ClaimLedger.Sources;
using Npgsql;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>Reads through the API against a raw primary-key SELECT of the same row, on fixtures written directly.</summary>
    private async Task ReadsAsync()
    {
        await log.WriteLineAsync("5. Reads");
        var source = Guid.CreateVersion7();
        await using (var s = _store.LightweightSession())
        {
            s.Events.StartStream<Source>(source, new SourceRegistered(source, "Bench", "Bench", null, "fr", DateTimeOffset.UtcNow, null, null));
            await s.SaveChangesAsync();
        }
        await PictureReadsAsync(source);
        await RevisionPageReadsAsync();
        await ClaimHistoryReadsAsync(source);
    }

    private async Task GetAsync(string path)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
    }

    private async Task RawSelectAsync(string table, Guid id)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand($"select data from claimledger.{table} where id = @id", conn);
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) _ = reader.GetString(0);
    }
}
