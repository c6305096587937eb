using System.Diagnostics;
using System.Globalization;
using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Storage;
using ClaimLedger.Throughput.Rebuilds;
using Marten;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <param name="only">One projection's rebuild (<c>--rebuild --only Claim</c>), or all of them.</param>
    private async Task RebuildAsync(string? only = null)
    {
        await log.WriteLineAsync("6. Projection rebuild and ledger verification");
        var events = await ScalarAsync("select count(*) from claimledger.mt_events");
        // The deep-page fixture's million revisions have no events behind them: a rebuild would spend its time
        // deleting them, and no real history has revisions without events. They go before the clock starts.
        if (_syntheticRevisions is { } synthetic)
        {
            // Its dead rows go with the VACUUM ANALYZE that every rebuild below starts with.
            await ExecAsync($"delete from claimledger.mt_doc_figurerevision where id like '{synthetic:N}/%'");
        }
        // With --paths, every run rebuilds on each path, the order turning from run to run: the machine's drift falls
        // on each path alike, and the rows compare paths measured minutes apart at most.
        var paths = mode.RebuildPaths ? new[] { RebuildPath.Fastest, RebuildPath.Marten, RebuildPath.MartenTuned } : [RebuildPath.Fastest];
        var stores = paths.ToDictionary(p => p, p => p == RebuildPath.Fastest ? _store : new DocumentStore(LedgerStore.For(_cs, p)));
        try
        {
            foreach (var projection in new[] { FigurePictureProjection.Name, FigureHistoryProjection.Name, ClaimProjection.ProjectionName }.Where(p => only is null || p == only))
            {
                // Marten's rebuild settings (MartenTuned) change only the claim snapshot's execution.
                var tried = paths.Where(p => p != RebuildPath.MartenTuned || projection == ClaimProjection.ProjectionName).ToArray();
                var runs = tried.ToDictionary(p => p, _ => new List<(double Rate, double WalBytes, string Beside)>());
                for (var run = 0; run < mode.RebuildRuns; run++)
                    foreach (var path in tried.Skip(run % tried.Length).Concat(tried.Take(run % tried.Length)))
                    {
                        var (rate, walBytes, besideIt) = await RebuildOnceAsync(stores[path], projection, events);
                        runs[path].Add((rate, walBytes, besideIt));
                        await log.WriteLineAsync($"    {projection} rebuild {run + 1}{Label(path, mode.RebuildPaths)}: {rate:N0} events/s; {besideIt}");
                    }
                foreach (var path in tried)
                {
                    // The median run, and what ran beside it: a slow figure says whether the machine or the database was busy.
                    var median = MedianBy(runs[path], r => r.Rate);
                    Add("Rebuild", $"{projection} rebuild{Label(path, mode.RebuildPaths)} ({events:N0} events)", median.Rate, "events/s", "≥ 20,000 events/s", median.Rate >= 20_000,
                        (runs[path].Count > 1 ? $"median of {runs[path].Count} rebuilds: {string.Join(", ", runs[path].Select(r => r.Rate.ToString("N0", CultureInfo.InvariantCulture)))} events/s; " : "") +
                        $"WAL {(median.WalBytes / events).ToString("N0", CultureInfo.InvariantCulture)} bytes per event; beside it: {median.Beside}");
                }
            }
        }
        finally
        {
            foreach (var (path, store) in stores)
                if (path != RebuildPath.Fastest) store.Dispose();
        }
    }

    private static string Label(RebuildPath path, bool paths) => !paths ? "" : path switch
    {
        RebuildPath.Fastest => ", as configured",
        RebuildPath.Marten => ", Marten's own execution",
        _ => ", Marten's own execution with its rebuild settings",
    };

    private async Task<(double Rate, double WalBytes, string Beside)> RebuildOnceAsync(DocumentStore store, string projection, long events)
    {
        // Each rebuild starts from a quiet database, as each ratio window does, and with nothing left for autovacuum to
        // take up from what the earlier sections (or the rebuild before) wrote: a worker that starts in the middle of a
        // rebuild takes one of the two cores (measured: 22 s of autovacuum beside a rebuild, which ran at 14,700 events/s
        // against 17,600–17,900 beside it). What a rebuild's own writes set off during it is its own cost.
        await ExecAsync("vacuum analyze");
        await QuietDatabaseAsync();
        using var daemon = await store.BuildProjectionDaemonAsync();
        await using var beside = await Beside.StartAsync(_cs,
            $"select coalesce(max(last_seq_id), 0) from claimledger.mt_event_progression where name = '{projection}:All'");
        using var stages = new RangeStages($"{projection}:All");
        var watch = Stopwatch.StartNew();
        await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(20), CancellationToken.None);
        var rate = events / watch.Elapsed.TotalSeconds;
        var besideIt = await beside.StopAsync();
        // Only the pipelined execution measures its stages.
        if (stages.Count("writing") > 0) besideIt += $"; {stages.Describe(watch.Elapsed)}";
        return (rate, beside.WalBytes, besideIt);
    }
}
