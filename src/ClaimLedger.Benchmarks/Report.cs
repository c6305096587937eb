using System.Globalization;
using System.Text;

namespace ClaimLedger.Benchmarks;

public static class Report
{
    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public static string Markdown(BenchmarkProgram.Mode mode, IReadOnlyList<Result> results, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## ClaimLedger benchmarks ({mode.Name} mode, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:0.0} min)");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Machine()}. One PostgreSQL server (the runner's provisioning), " +
                      (mode.CompareOnly ? "a database for each of the two APIs" : "one database") + ", same settings for every row " +
                      $"(the API's connection settings, prepared statements included). Every throughput row runs {mode.Warmup.TotalSeconds:0} s uncounted before its {mode.Duration.TotalSeconds:0} s.");
        sb.AppendLine();
        sb.AppendLine("| section | measure | value | unit | target | met | notes |");
        sb.AppendLine("|---|---|---:|---|---|---|---|");
        foreach (var r in results)
            sb.AppendLine($"| {r.Section} | {r.Name} | {r.Value.ToString("#,0.###", CultureInfo.InvariantCulture)} | {r.Unit} | {r.Target ?? ""} | {(r.Met is null ? "" : r.Met.Value ? "yes" : "**no**")} | {r.Note ?? ""} |");
        return sb.ToString();
    }
}
