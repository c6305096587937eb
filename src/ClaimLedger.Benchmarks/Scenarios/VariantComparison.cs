
namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// <c>--compare</c>: HTTP submissions at 8 clients through two APIs in alternating windows, each measured like the
    /// ratio's HTTP window. This run's API runs as configured; the variant's, on a database of its own, runs with the
    /// <see cref="BenchmarkProgram.VariantSettingPrefix"/> settings on top. Runs minutes apart differ by more than
    /// most settings do (docs/benchmarks.md); paired windows meet the same machine, so the median round's variant ÷
    /// as configured is what the setting does. With no variant setting, both run alike: the spread of that A/A
    /// comparison is the noise a setting has to beat.
    /// </summary>
    public async Task CompareAsync(Run variant)
    {
        var settings = BenchmarkProgram.Prefixed(Environment.GetEnvironmentVariables(), BenchmarkProgram.VariantSettingPrefix)
            .Select(s => $"{s.Name}={s.Value}").ToList();
        var described = settings.Count > 0 ? string.Join(", ", settings) : $"none (no {BenchmarkProgram.VariantSettingPrefix} variable: an A/A comparison, the noise)";
        await log.WriteLineAsync($"ClaimLedger benchmarks, {mode.Name} mode; the variant's settings: {described}");
        var submit = await ReadyToSubmitAsync();
        var variantSubmit = await variant.ReadyToSubmitAsync();
        var rounds = new List<(double AsConfigured, double Variant)>();
        for (var round = 0; round < mode.RatioRounds; round++)
        {
            // Which goes first alternates, so that a machine speeding up or slowing down within rounds favours neither.
            var variantFirst = round % 2 == 1;
            var first = variantFirst ? await variant.SubmissionWindowAsync(variantSubmit) : await SubmissionWindowAsync(submit);
            var second = variantFirst ? await SubmissionWindowAsync(submit) : await variant.SubmissionWindowAsync(variantSubmit);
            var (asConfigured, changed) = variantFirst ? (second, first) : (first, second);
            rounds.Add((asConfigured.Rate, changed.Rate));
            await log.WriteLineAsync($"    round {round + 1}: as configured {asConfigured.Rate:N0} claims/s; {asConfigured.Summary}");
            await log.WriteLineAsync($"    round {round + 1}: variant {changed.Rate:N0} claims/s; {changed.Summary}");
        }
        var median = MedianBy(rounds, r => r.Variant / r.AsConfigured);
        Add("HTTP", $"claim submissions at 8 clients, the variant ÷ as configured, alternating {mode.RatioWindow.TotalSeconds:0} s windows (median of {rounds.Count})",
            median.Variant / median.AsConfigured, "×", note: $"the variant's settings: {described}; rounds (claims/s, variant ÷ as configured): " +
            string.Join("; ", rounds.Select(r => $"{r.Variant:N0} / {r.AsConfigured:N0} = {r.Variant / r.AsConfigured:0.00}")));
    }

    /// <summary>This run's database, its API and the submissions' source and figures, warmed like the ratio's.</summary>
    private async Task<Func<int, int, Task<int>>> ReadyToSubmitAsync()
    {
        await PrepareAsync();
        await StartApiAsync();
        var submit = (await SubmissionsAsync()).Submission;
        await Measure.CountAsync(8, mode.Duration + mode.Warmup, TimeSpan.Zero, submit);
        return submit;
    }
}
