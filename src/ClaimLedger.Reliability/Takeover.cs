using System.Diagnostics;
using ClaimLedger.Figures;

namespace ClaimLedger.Reliability;

internal sealed partial class Harness
{
    /// <summary>
    /// Two nodes. The first runs everything (it starts alone: the ledger sequencer by advisory lock, the revision
    /// history by Wolverine's assignment); it is killed under writes to the second. Measured: how long until the
    /// second sequences a new event, and how long until its daemon projects one. Then nothing may be missing: every
    /// event a leaf, the history complete, and equal to what a rebuild gives.
    /// </summary>
    public async Task<Report> TakeoverAsync()
    {
        await PrepareAsync("takeover");
        var failures = new List<string>();
        var first = await StartAsync();
        var (source, figures) = await ArrangeAsync(first);
        await WaitAsync("select count(*) from claimledger.ledger_checkpoints", n => n > 0, TimeSpan.FromSeconds(30));
        await WaitAsync(FigureHistoryProjection.LagSql, n => n <= 0, TimeSpan.FromSeconds(30));
        var second = await StartAsync();
        await WaitAsync("select count(*) from claimledger.wolverine_nodes", n => n == 2, TimeSpan.FromSeconds(30));
        var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try { await PostAsync(second.Http, "/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = $"t{i % 7}", figureId = figures[i % 2], value = new { amount = i, bound = "exact" } }, $"t{i}"); }
                catch (HttpRequestException) { }
                await Task.Delay(20);
            }
        });
        await Task.Delay(1500);
        // The history runs where Wolverine's leader put it: on the first node, which was alone when it started.
        var runsHistory = await ScalarAsync("select count(*) from claimledger.wolverine_node_assignments a join claimledger.wolverine_nodes n on n.id = a.node_id " +
                                            "where a.id like '%figurehistory%' and n.started = (select min(started) from claimledger.wolverine_nodes)");
        if (runsHistory != 1) failures.Add("the revision history was not running on the first node before it was killed");
        var killedAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        first.Kill();
        var afterKill = $"select coalesce(min(seq_id), 0) from claimledger.mt_events where timestamp > '{killedAt:O}'";
        var sequencer = Task.Run(async () =>
        {
            await WaitAsync($"select count(*) from claimledger.ledger_leaves l join claimledger.mt_events e on e.seq_id = l.seq_id where e.timestamp > '{killedAt:O}'",
                n => n > 0, TimeSpan.FromSeconds(60));
            return watch.Elapsed.TotalSeconds;
        });
        var projections = Task.Run(async () =>
        {
            await WaitAsync($"select case when ({afterKill}) = 0 then 0 else (select coalesce(max(last_seq_id), 0) from claimledger.mt_event_progression where name = '{FigureHistoryProjection.Name}:All') - ({afterKill}) + 1 end",
                n => n > 0, TimeSpan.FromSeconds(120));
            return watch.Elapsed.TotalSeconds;
        });
        var sequencerSeconds = await sequencer;
        var projectionSeconds = await projections;
        await Task.Delay(1000);
        stop.Cancel();
        await writer;
        await WaitAsync("select (select count(*) from claimledger.mt_events) - (select count(*) from claimledger.ledger_leaves)", n => n == 0, TimeSpan.FromSeconds(30));
        await WaitAsync(FigureHistoryProjection.LagSql, n => n <= 0, TimeSpan.FromSeconds(60));
        var missing = await ScalarAsync("select count(*) from claimledger.mt_doc_figurepicture p where (p.data->>'revisionCount')::bigint <> " +
                                        "(select count(*) from claimledger.mt_doc_figurerevision r where r.data->>'figureId' = p.id::text)");
        if (missing > 0) failures.Add($"{missing} figures have a revision history shorter or longer than their picture's revision count");
        var verified = await Verify(second, failures);
        var live = await ProjectionSnapshot.TakeAsync(_cs);
        second.Kill();
        await RebuildMatchesAsync(live, failures);
        await DropAsync();
        return new Report("takeover", failures.Count == 0, new Dictionary<string, object>
        {
            ["takeoverSeconds"] = Math.Round(Math.Max(sequencerSeconds, projectionSeconds), 2),
            ["sequencerTakeoverSeconds"] = Math.Round(sequencerSeconds, 2),
            ["projectionTakeoverSeconds"] = Math.Round(projectionSeconds, 2),
            ["eventsVerified"] = verified,
        }, failures);
    }
}
