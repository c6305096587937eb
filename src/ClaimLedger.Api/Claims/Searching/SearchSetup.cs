using Marten;
using JasperFx.Events.Projections;

namespace ClaimLedger.Claims.Searching;

public static class SearchSetup
{
    /// <summary>
    /// The claim summaries that lists, searches and the review queue read: inline, so a list read after a write shows it.
    /// </summary>
    public static void ConfigureClaimSearch(this StoreOptions opts) =>
        opts.Projections.Snapshot<ClaimSummary>(SnapshotLifecycle.Inline);
}
