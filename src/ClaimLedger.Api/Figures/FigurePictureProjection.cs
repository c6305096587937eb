using ClaimLedger.Figures.Picture;

namespace ClaimLedger.Figures;

/// <summary>The current picture of every figure and what it knows of each claim on it: inline, read-your-writes.</summary>
public sealed class FigurePictureProjection() : FigureTimeline<FigurePicture, FigureClaim>(Name, keepsHistory: false, p => p, c => c)
{
    public const string Name = "FigurePicture";
}
