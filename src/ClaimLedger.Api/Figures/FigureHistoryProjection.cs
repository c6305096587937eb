using ClaimLedger.Figures.Picture;

namespace ClaimLedger.Figures;

/// <summary>
/// The revision history of every figure and the entry changes that as-of answers replay: run by the async daemon (on
/// one node of the cluster, as Wolverine assigns it), so a write pays for the picture only. It keeps its own copy of
/// the pictures and claims it follows, as they stood at its position, which trails the inline picture.
/// </summary>
public sealed class FigureHistoryProjection() : FigureTimeline<FigureHistoryPicture, FigureHistoryClaim>(Name, keepsHistory: true,
    p => p as FigureHistoryPicture ?? new FigureHistoryPicture(p), c => c as FigureHistoryClaim ?? new FigureHistoryClaim(c))
{
    public const string Name = "FigureHistory";

    /// <summary>How many event sequence numbers the history trails the event store by (0 or less: caught up).</summary>
    public const string LagSql =
        "select (select coalesce(max(seq_id), 0) from claimledger.mt_events) - " +
        "(select coalesce(max(last_seq_id), 0) from claimledger.mt_event_progression where name = '" + Name + ":All')";
}

/// <summary>A figure's picture as the revision history last left it (the history projection's own working state).</summary>
public sealed record FigureHistoryPicture : FigurePicture
{
    public FigureHistoryPicture() { }
    public FigureHistoryPicture(FigurePicture picture) : base(picture) { }
}

/// <summary>A claim on a figure as the revision history last left it (the history projection's own working state).</summary>
public sealed record FigureHistoryClaim : FigureClaim
{
    public FigureHistoryClaim() { }
    public FigureHistoryClaim(FigureClaim claim) : base(claim) { }
}
