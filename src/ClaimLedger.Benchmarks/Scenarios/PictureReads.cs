using ClaimLedger.Claims;
using ClaimLedger.Figures;
using Npgsql;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>The figure picture at each size of the mode, and as of random times at the largest.</summary>
    private async Task PictureReadsAsync(Guid source)
    {
        (double P50, double P99) floor = default;
        foreach (var size in mode.PictureSizes)
        {
            var figure = await FigureWithClaimsAsync(source, size);
            // Reads are measured once the API's daemon has put the claims just written into the history: otherwise
            // they share the two cores with that catch-up (measured: p99 8.6 ms at 10 claims as at 100,000).
            await QuiesceAsync();
            floor = await Measure.LatencyAsync(mode.Samples, async _ => await RawSelectAsync("mt_doc_figurepicture", figure));
            var picture = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/figures/{figure}"));
            var largest = size == mode.PictureSizes[^1];
            Add("Reads", $"figure picture p50, {size:N0} claims", picture.P50, "ms", note: $"÷ raw SELECT p50 = {picture.P50 / floor.P50:0.0}");
            Add("Reads", $"figure picture p99, {size:N0} claims", picture.P99, "ms", largest ? "≤ 10 ms" : null, largest ? picture.P99 <= 10 : null,
                $"÷ raw SELECT p99 = {picture.P99 / floor.P99:0.0}");
            if (largest)
            {
                // As of random moments of the figure's history: the last revision at or before T, then one probe per originator.
                var times = await RevisionTimesAsync(figure);
                var random = new Random(size);
                var asOf = await Measure.LatencyAsync(mode.Samples, async _ =>
                    await GetAsync($"/api/figures/{figure}?asOf={Uri.EscapeDataString(times[random.Next(times.Count)].ToString("O"))}"));
                Add("Reads", $"figure as of a random time, {size:N0} revisions, p50", asOf.P50, "ms");
                Add("Reads", $"figure as of a random time, {size:N0} revisions, p99", asOf.P99, "ms");
            }
        }
        Add("Reads", "raw primary-key SELECT p50 (floor)", floor.P50, "ms");
        Add("Reads", "raw primary-key SELECT p99 (floor)", floor.P99, "ms");
    }

    private async Task<Guid> FigureWithClaimsAsync(Guid source, int claims)
    {
        var figure = Guid.CreateVersion7();
        await using (var s = _store.LightweightSession())
        {
            s.Events.StartStream<Figure>(figure, new FigureDefined(figure, $"Picture {claims}", "deaths", "people", null, null));
            await s.SaveChangesAsync();
        }
        await WriteInBatchesAsync(0, claims, 500, (s, from, to) =>
        {
            for (var done = from; done < to; done++)
            {
                var e = Submitted(source, figure, 100 + done % 900, $"originator {done % 5}");
                s.Events.StartStream<Claim>(e.ClaimId, e);
            }
            return Task.CompletedTask;
        });
        return figure;
    }

    private async Task<List<DateTimeOffset>> RevisionTimesAsync(Guid figure)
    {
        await SettleAsync();
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select (data->>'recordedAt')::timestamptz from claimledger.mt_doc_figurerevision where data->>'figureId' = @f order by random() limit 200", conn);
        cmd.Parameters.AddWithValue("f", figure.ToString());
        await using var reader = await cmd.ExecuteReaderAsync();
        var times = new List<DateTimeOffset>();
        while (await reader.ReadAsync()) times.Add(reader.GetFieldValue<DateTimeOffset>(0));
        return times;
    }
}
