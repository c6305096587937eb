using JasperFx.Events.Projections;
using Marten;

namespace ClaimLedger.Sources;

public static class SourceSetup
{
    public static void ConfigureSources(this StoreOptions opts)
    {
        opts.Events.AddEventType<SourceRegistered>();
        opts.Projections.Add<SourceProjection>(ProjectionLifecycle.Inline);
        // What lists read, without the text: inline, so a list read after a registration shows it.
        opts.Projections.Snapshot<Listing.SourceSummary>(SnapshotLifecycle.Inline);
    }
}
