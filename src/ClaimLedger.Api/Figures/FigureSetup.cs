using ClaimLedger.Figures.Picture;
using JasperFx.Events.Projections;
using Marten;
using ClaimLedger.Throughput.GroupCommit;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.Figures;

public static class FigureSetup
{
    public static void ConfigureFigures(this StoreOptions opts, RebuildPath path = RebuildPath.Fastest)
    {
        opts.Events.AddEventType<FigureDefined>();
        opts.Projections.Add<FigureProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<Figure>().Index(f => f.Metric);

        // Inline on writes. Only a rebuild runs it in the daemon.
        var picture = new FigurePictureProjection();
        Action<AsyncOptions> pictureRanges = o =>
        {
            o.BatchSize = 1000;
            o.DeleteViewTypeOnTeardown<FigurePicture>();
            o.DeleteViewTypeOnTeardown<FigureClaim>();
        };
        // Pipelined in a rebuild: on Marten's own execution it sits at its floor (19,600 events/s in the full run of
        // docs/benchmarks.md, 27,000–30,000 on a quieter machine), pipelined 35,000–42,000.
        if (path == RebuildPath.Fastest) opts.Projections.Add(new RangePipeline(picture, FigurePictureProjection.Name), ProjectionLifecycle.Inline, pictureRanges);
        else opts.Projections.Add(picture, ProjectionLifecycle.Inline, FigurePictureProjection.Name, pictureRanges);
        // Off the write path: the daemon keeps the history; readers of it wait (briefly) for the figure's revision.
        var history = new FigureHistoryProjection();
        Action<AsyncOptions> historyRanges = o =>
        {
            // Larger ranges mean fewer commits when the history has a backlog (a rebuild, a node taking over); live ranges
            // stay small.
            o.BatchSize = 2000;
            o.DeleteViewTypeOnTeardown<FigureHistoryPicture>();
            o.DeleteViewTypeOnTeardown<FigureHistoryClaim>();
            o.DeleteViewTypeOnTeardown<FigureRevision>();
            o.DeleteViewTypeOnTeardown<FigureEntryChange>();
        };
        if (path == RebuildPath.Fastest) opts.Projections.Add(new RangePipeline(history, FigureHistoryProjection.Name), ProjectionLifecycle.Async, historyRanges);
        else opts.Projections.Add(history, ProjectionLifecycle.Async, FigureHistoryProjection.Name, historyRanges);
        // No index reads into a picture's JSON: a picture is rewritten by every claim event on its figure, and with no
        // index on its data the rewrite is a HOT update (no index entry, no dead index tuple). Measured: the picture's
        // upsert 23.5 → 11.5 µs of server time, the table's metric index 1.2 MB for 16 rows before. Listing filters the
        // definitions (Figure), whose rows never change.
        opts.Schema.For<FigureClaim>().Index(c => new { c.FigureId, c.OriginatorKey, c.SubmittedRevision }, i => i.Name = "figure_claim_by_originator");
        opts.Schema.For<FigureHistoryClaim>().Index(c => new { c.FigureId, c.OriginatorKey, c.SubmittedRevision }, i => i.Name = "figure_history_claim_by_originator");
        opts.Schema.For<FigureRevision>().Identity(r => r.Id)
            .Index(r => new { r.FigureId, r.RecordedAt, r.Revision }, i => i.Name = "figure_revision_by_time")
            .Index(r => new { r.FigureId, r.EntryKey, r.Revision }, i => i.Name = "figure_revision_by_entry");
        opts.Storage.ExtendedSchemaObjects.Add(CommittedPictures.CheckFunction());
        opts.Schema.For<FigureEntryChange>().Identity(c => c.Id).Index(c => new { c.FigureId, c.OriginatorKey, c.Revision }, i => i.Name = "figure_entry_change_by_originator");
    }
}
