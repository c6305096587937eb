using ClaimLedger.Figures.Picture;
using Marten;

namespace ClaimLedger.Figures;

/// <summary>
/// The revision history of every figure and the entry changes that as-of answers replay: run by the async daemon (on
/// one node of the cluster, as Wolverine assigns it), so a write pays for the picture only. It keeps its own copy of
/// the pictures and claims it follows, as they stood at its position, which trails the inline picture.
/// </summary>
public sealed class FigureHistoryProjection : FigureTimeline
{
    public const string Name = "FigureHistory";

    protected override string ShardName => $"{Name}:All";
    protected override bool KeepsHistory => true;

    protected override async Task<IReadOnlyList<FigureClaim>> LoadClaimsAsync(IDocumentOperations operations, Guid[] ids, CancellationToken ct) =>
        await operations.LoadManyAsync<FigureHistoryClaim>(ct, ids);

    protected override async Task<FigureClaim?> LoadClaimAsync(IDocumentOperations operations, Guid id, CancellationToken ct) =>
        await operations.LoadAsync<FigureHistoryClaim>(id, ct);

    protected override async Task<IReadOnlyList<FigurePicture>> LoadPicturesAsync(IDocumentOperations operations, Guid[] ids, CancellationToken ct) =>
        await operations.LoadManyAsync<FigureHistoryPicture>(ct, ids);

    protected override async Task<FigurePicture?> LoadPictureAsync(IDocumentOperations operations, Guid id, CancellationToken ct) =>
        await operations.LoadAsync<FigureHistoryPicture>(id, ct);

    protected override async Task<IReadOnlyList<FigureClaim>> StandingBeforeAsync(IDocumentOperations operations, Guid figureId, string key,
        long below, int take, CancellationToken ct) =>
        await operations.Query<FigureHistoryClaim>()
            .Where(c => c.FigureId == figureId && c.OriginatorKey == key && c.Standing && c.SubmittedRevision < below)
            .OrderByDescending(c => c.SubmittedRevision).Take(take).ToListAsync(ct);

    protected override void Store(IDocumentOperations operations, FigurePicture picture) =>
        operations.Store(picture as FigureHistoryPicture ?? new FigureHistoryPicture(picture));

    protected override void Store(IDocumentOperations operations, FigureClaim claim) =>
        operations.Store(claim as FigureHistoryClaim ?? new FigureHistoryClaim(claim));
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
