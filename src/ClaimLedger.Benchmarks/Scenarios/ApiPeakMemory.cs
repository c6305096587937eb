
namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>The API's peak resident memory over the run so far, once its background work has caught up.</summary>
    private async Task ApiPeakMemoryAsync()
    {
        await SettleAsync();
        var peak = PeakMemoryMb();
        Add("Memory", "API peak resident memory under load", peak, "MB", "≤ 400 MB", peak <= 400);
    }

    private double PeakMemoryMb() => _api?.PeakMemoryMb() ?? double.NaN;
}
