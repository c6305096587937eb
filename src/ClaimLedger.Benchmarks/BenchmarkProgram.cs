using System.Diagnostics;
using System.Text.Json;
using ClaimLedger.Local;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.Benchmarks;

internal static class Entry
{
    // A named entry point: a top-level one would be a second `Program` beside the API's in the tests.
    private static Task<int> Main(string[] args) => BenchmarkProgram.RunAsync(args);
}

/// <summary>
/// ClaimLedger against the physical limit and the alternatives, in one run, on one machine, one database server:
/// raw INSERT, a CRUD design, Marten alone, ClaimLedger over HTTP (claims spread over figures and on one hot figure), reads against a raw primary-key SELECT,
/// rebuild and verification rates, the API's peak memory. <c>--smoke</c> (seconds), <c>--quick</c> (~3 min), full (~10 min),
/// <c>--ratio</c> (only the 8-client target's windows), <c>--rebuild</c> (only the rebuilds, of a ledger seeded like the full run's;
/// with <c>--paths</c>, each projection's fast path against Marten's own execution),
/// <c>--compare</c> (HTTP submissions of the API as configured against a variant of its settings, in paired windows),
/// <c>--pages</c> (the web app's pages: weight and time to first render),
/// <c>--search</c> (only the claim search, over 100,000 claim summaries),
/// <c>--verify</c> (only the verification, of a ledger seeded like the full run's and sequenced by the API).
/// </summary>
public static class BenchmarkProgram
{
    /// <param name="RatioRounds">Alternating windows of Marten alone and HTTP submissions (8 each) for the target's ratio.</param>
    /// <param name="RatioWindow">The counted length of each of those windows.</param>
    /// <param name="RatioOnly">Only the target's ratio (its alternating windows as in the full run): the one target that sits near its bound.</param>
    /// <param name="RebuildRuns">How many times each projection is rebuilt; its row is the median run.</param>
    /// <param name="RebuildOnly">Only the rebuilds, over a ledger seeded directly with the full run's mix of events.</param>
    /// <param name="RebuildProjection">Only this projection's rebuilds (<c>--rebuild --only Claim</c>).</param>
    /// <param name="RebuildPaths">Each rebuild run rebuilds the projection once on every path (<see cref="RebuildPath"/>), in an
    /// order that turns from run to run (<c>--rebuild --paths</c>): the fast path against Marten's own on one ledger.</param>
    /// <param name="SearchClaims">How many claim summaries the search is measured over.</param>
    /// <param name="VerifyPasses">Warm verification passes; the row is the median one.</param>
    /// <param name="VerifyOnly">Only the verification, of a ledger seeded like the full run's (<c>--verify</c>).</param>
    /// <param name="CompareOnly">Only HTTP submissions at 8 clients, of two APIs in alternating windows: one as configured, one
    /// with the <see cref="VariantSettingPrefix"/> settings on top (<c>--compare</c>).</param>
    public sealed record Mode(string Name, TimeSpan Duration, TimeSpan Warmup, int[] PictureSizes, long RevisionDepth, int[] ClaimHistories, int Samples, int[] HttpClients,
        int RatioRounds, TimeSpan RatioWindow, bool RatioOnly = false, int RebuildRuns = 1, bool RebuildOnly = false, string? RebuildProjection = null,
        bool CompareOnly = false, bool RebuildPaths = false, bool PagesOnly = false, int SearchClaims = 100_000, bool SearchOnly = false,
        int VerifyPasses = 3, bool VerifyOnly = false);

    public static readonly Mode Smoke = new("smoke", TimeSpan.FromSeconds(1), TimeSpan.Zero, [10, 100], 1_000, [10, 150], 30, [1, 8], 1, TimeSpan.FromSeconds(1),
        SearchClaims: 2_000);
    public static readonly Mode Quick = new("quick", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), [10, 1_000, 10_000], 100_000, [10, 10_000], 200, [1, 8, 32],
        3, TimeSpan.FromSeconds(4));
    public static readonly Mode Full = new("full", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), [10, 1_000, 100_000], 1_000_000, [10, 10_000], 500, [1, 8, 32],
        5, TimeSpan.FromSeconds(10), RebuildRuns: 3);
    public static readonly Mode Ratio = Full with { Name = "ratio", RatioOnly = true };
    public static readonly Mode Rebuild = Full with { Name = "rebuild", RebuildOnly = true, RebuildRuns = 5 };
    /// <summary>Paired windows need more rounds than the ratio: a setting worth keeping moves the median by a few per cent.</summary>
    public static readonly Mode Compare = Full with { Name = "compare", CompareOnly = true, RatioRounds = 9 };

    /// <summary>Environment variables named <c>CLBENCH_API_&lt;name&gt;</c> set <c>&lt;name&gt;</c> for the API's process alone.</summary>
    public const string ApiSettingPrefix = "CLBENCH_API_";

    /// <summary>
    /// In <c>--compare</c>, environment variables named <c>CLBENCH_B_&lt;name&gt;</c> set <c>&lt;name&gt;</c> for the
    /// second API alone (the variant), on top of the <see cref="ApiSettingPrefix"/> ones both get.
    /// </summary>
    public const string VariantSettingPrefix = "CLBENCH_B_";

    /// <summary>
    /// The API process's own settings: workstation GC, and each <see cref="ApiSettingPrefix"/> variable without its
    /// prefix, so that a setting is tried on the API (<c>CLBENCH_API_ClaimLedger__Submissions__GroupWriters=4</c>)
    /// without changing the load generator or Marten alone, which run in the benchmark's process.
    /// </summary>
    public static Dictionary<string, string> ApiSettings(System.Collections.IDictionary environment, bool variant = false)
    {
        var settings = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" };
        foreach (var prefix in variant ? [ApiSettingPrefix, VariantSettingPrefix] : new[] { ApiSettingPrefix })
            foreach (var (name, value) in Prefixed(environment, prefix)) settings[name] = value;
        return settings;
    }

    /// <summary>The variables named <paramref name="prefix"/>&lt;name&gt;, without the prefix, in name order.</summary>
    public static IEnumerable<(string Name, string Value)> Prefixed(System.Collections.IDictionary environment, string prefix) =>
        environment.Cast<System.Collections.DictionaryEntry>()
            .Where(v => v.Key is string name && name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
            .Select(v => (((string)v.Key)[prefix.Length..], v.Value as string ?? ""))
            .OrderBy(v => v.Item1, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args, TextWriter? log = null)
    {
        log ??= Console.Out;
        var mode = args.Contains("--smoke") ? Smoke : args.Contains("--quick") ? Quick : args.Contains("--ratio") ? Ratio : Full;
        // --compare alone is the full run's windows; with --smoke or --quick, that mode's.
        if (args.Contains("--compare")) mode = mode == Full ? Compare : mode with { Name = $"{mode.Name}-compare", CompareOnly = true };
        // --rebuild alone is the full run's ledger and five rebuilds; with --smoke or --quick, that mode's sizes.
        if (args.Contains("--rebuild")) mode = mode == Full ? Rebuild : mode with { Name = $"{mode.Name}-rebuild", RebuildOnly = true };
        if (args.Contains("--paths")) mode = mode with { RebuildPaths = true };
        if (Array.IndexOf(args, "--runs") is var runs and >= 0 && runs + 1 < args.Length && int.TryParse(args[runs + 1], out var rebuildRuns))
            mode = mode with { RebuildRuns = Math.Max(1, rebuildRuns) };
        // --pages: only the web app's pages, loaded cold in Debian's chromium (weight, first render).
        if (args.Contains("--pages")) mode = mode with { Name = $"{mode.Name}-pages", PagesOnly = true };
        // --search alone is the search over 100,000 claims; with --smoke, over the smoke's few.
        if (args.Contains("--search")) mode = mode with { Name = $"{mode.Name}-search", SearchOnly = true };
        // --verify alone is the full run's ledger and five passes; with --smoke or --quick, that mode's sizes.
        if (args.Contains("--verify")) mode = mode with { Name = $"{mode.Name}-verify", VerifyOnly = true, VerifyPasses = 5 };
        if (Array.IndexOf(args, "--only") is var only and >= 0 && only + 1 < args.Length) mode = mode with { RebuildProjection = args[only + 1] };
        var outIndex = Array.IndexOf(args, "--out");
        var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(LocalPostgres.DataRoot(), "benchmarks");
        var results = new List<Result>();
        var run = new Run(mode, results, log);
        var started = Stopwatch.StartNew();
        await using var variant = mode.CompareOnly ? new Run(mode, results, log, variant: true) : null;
        try { await (variant is null ? run.ExecuteAsync() : run.CompareAsync(variant)); }
        finally { await run.DisposeAsync(); }

        var markdown = Report.Markdown(mode, results, started.Elapsed);
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, $"benchmarks-{mode.Name}.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(outDir, $"benchmarks-{mode.Name}.json"),
            JsonSerializer.Serialize(new { mode = mode.Name, machine = Report.Machine(), elapsedSeconds = started.Elapsed.TotalSeconds, results },
                new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        await log.WriteLineAsync(markdown);
        await log.WriteLineAsync($"Written to {outDir}");
        return 0;
    }
}
