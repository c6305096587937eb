using ClaimLedger.Figures.Picture;
using Marten;

namespace ClaimLedger.Figures;

/// <summary>The current picture of every figure and what it knows of each claim on it: inline, read-your-writes.</summary>
public sealed class FigurePictureProjection : FigureTimeline
{
    public const string Name = "FigurePicture";

    protected override string ShardName => $"{Name}:All";
    protected override bool KeepsHistory => false;

    protected override async Task<IReadOnlyList<FigureClaim>> LoadClaimsAsync(IDocumentOperations operations, Guid[] ids, CancellationToken ct) =>
        await operations.LoadManyAsync<FigureClaim>(ct, ids);

    protected override Task<FigureClaim?> LoadClaimAsync(IDocumentOperations operations, Guid id, CancellationToken ct) =>
        operations.LoadAsync<FigureClaim>(id, ct);

    protected override async Task<IReadOnlyList<FigurePicture>> LoadPicturesAsync(IDocumentOperations operations, Guid[] ids, CancellationToken ct) =>
        await operations.LoadManyAsync<FigurePicture>(ct, ids);

    protected override Task<FigurePicture?> LoadPictureAsync(IDocumentOperations operations, Guid id, CancellationToken ct) =>
        operations.LoadAsync<FigurePicture>(id, ct);

    protected override async Task<IReadOnlyList<FigureClaim>> StandingBeforeAsync(IDocumentOperations operations, Guid figureId, string key,
        long below, int take, CancellationToken ct) =>
        await operations.Query<FigureClaim>()
            .Where(c => c.FigureId == figureId && c.OriginatorKey == key && c.Standing && c.SubmittedRevision < below)
            .OrderByDescending(c => c.SubmittedRevision).Take(take).ToListAsync(ct);

    protected override void Store(IDocumentOperations operations, FigurePicture picture) => operations.Store(picture);
    protected override void Store(IDocumentOperations operations, FigureClaim claim) => operations.Store(claim);
}
