using JasperFx.Events.Projections;
using Marten;

namespace ClaimLedger.Claims;

public static class ClaimSetup
{
    public static void ConfigureClaims(this StoreOptions opts)
    {
        opts.Events.AddEventTypes([
            typeof(ClaimSubmitted), typeof(EvidenceAttached), typeof(DisputeOpened), typeof(DisputeResolved),
            typeof(VerdictRecorded), typeof(ClaimCorrected), typeof(ClaimRetracted), typeof(ClaimSuperseded)]);
        // The claim document is the state the decisions read: kept inline, so a write sees the latest state and a
        // read sees every write that has been acknowledged.
        opts.Projections.Snapshot<Claim>(SnapshotLifecycle.Inline);
        opts.Schema.For<Claim>().Index(c => c.FigureId);
        opts.Schema.For<TimeTravel.ClaimSnapshot>().Identity(s => s.Id)
            .Index(s => new { s.ClaimId, s.Version }, i => i.Name = "claim_snapshot_by_version");
    }
}
