using System.Text.Json;

namespace ClaimLedger.Reliability;

internal static class Entry
{
    private static Task<int> Main(string[] args) => ReliabilityProgram.RunAsync(args, Console.Out);
}

public sealed record Report(string Mode, bool Ok, IReadOnlyDictionary<string, object> Figures, IReadOnlyList<string> Failures);

/// <summary>
/// The long runs, each with a short mode for CI:
/// <c>crash [--kills N]</c> — SIGKILL the API under 8 writers, restart it, and check that every acknowledged write is
/// stored exactly once, projections equal a rebuild, and the ledger verifies;
/// <c>takeover</c> — two nodes, kill the one that sequences the ledger and runs the revision history, measure how long
/// until the other takes each over;
/// <c>soak [--seconds S]</c> — mixed traffic with memory and latency recorded per window.
/// </summary>
public static class ReliabilityProgram
{
    public static async Task<int> RunAsync(string[] args, TextWriter log)
    {
        var mode = args.FirstOrDefault() ?? "crash";
        int Flag(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
        var report = mode switch
        {
            "crash" => await new Harness(log).CrashAsync(Flag("--kills", 20)),
            "takeover" => await new Harness(log).TakeoverAsync(),
            "soak" => await new Harness(log).SoakAsync(TimeSpan.FromSeconds(Flag("--seconds", 600))),
            _ => throw new ArgumentException($"unknown mode '{mode}': crash, takeover or soak"),
        };
        await log.WriteLineAsync(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return report.Ok ? 0 : 1;
    }
}
