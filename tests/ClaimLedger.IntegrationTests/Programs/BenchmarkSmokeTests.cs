using ClaimLedger.Benchmarks;

namespace ClaimLedger.IntegrationTests.Programs;

public class BenchmarkSmokeTests
{
    /// <summary>The benchmark program runs end to end in seconds and writes its table and JSON; figures are not judged here.</summary>
    [Fact]
    public async Task The_benchmark_program_runs_its_smoke_mode_and_writes_its_report()
    {
        var (markdown, _, json) = await RunProgramAsync("smoke", "--smoke");
        foreach (var section in new[] { "Raw INSERT", "CRUD", "Marten alone", "HTTP", "Reads", "Rebuild", "Verify", "Memory" })
            markdown.ShouldContain($"| {section} |");
        // The load generator's own weight is shown: the same submissions sent through .NET's HttpClient, alternating.
        markdown.ShouldMatch(@"\| HTTP \| claim submissions, 8 clients, sent through \.NET's HttpClient ÷ through the loopback client, alternating \d+ s windows \(median of \d+\) \| \d+\.\d+ \| × \|" +
                             @".*rounds \(claims/s through HttpClient ÷ through the loopback client\): [\d,]+ / [\d,]+ = \d\.\d\d.*the load generator's share of it \d+ % against \d+ %");
        // The target's ratio comes from alternating windows of both sides, with its rounds in the notes.
        markdown.ShouldContain("| HTTP | claim submissions ÷ Marten alone, 8 each, alternating");
        markdown.ShouldContain("rounds (claims/s ÷ events/s): ");
        // With what ran beside each window.
        markdown.ShouldContain("CPU stolen by the hypervisor in Marten's windows ");
        markdown.ShouldContain("autovacuum at work in ");
        // And the WAL each side wrote per unit, with how long its flushes took (timed in the benchmark's database).
        markdown.ShouldMatch(@"WAL about \d+\.\d KB per claim against \d+\.\d KB per Marten event; a WAL flush took [\d,]+ µs in the HTTP windows");
        // Submissions all on one hot figure, beside the spread ones in the window before, each with its throughput, p50,
        // p99 and claims per transaction; the hot figure's p99 against its goal.
        markdown.ShouldMatch(@"\| HTTP \| claim submissions, 8 clients, each on a figure of its own, p99 \| [\d,.]+ \| ms \|  \|  \| " +
                             @"[\d,]+ claims/s, p50 \d+\.\d ms; \d+\.\d claims per transaction \|");
        markdown.ShouldMatch(@"\| HTTP \| claim submissions, 8 clients, all on one figure \(a hot figure, as in breaking news\), p99 \| [\d,.]+ \| ms \| ≤ 50 ms \| (yes|\*\*no\*\*) \| " +
                             @"[\d,]+ claims/s, p50 \d+\.\d ms; \d+\.\d claims per transaction; ÷ each on a figure of its own \(the window before\): claims/s \d+\.\d\d, p99 \d+\.\d \|");
        json.ShouldBeTrue();
    }

    /// <summary>
    /// A setting is tried on the API's process alone: CLBENCH_API_&lt;name&gt; sets &lt;name&gt; there. Other variables are
    /// not among its own settings (it inherits the benchmark's environment like any child process).
    /// </summary>
    [Fact]
    public void The_API_process_is_given_each_prefixed_variable_without_its_prefix()
    {
        var settings = BenchmarkProgram.ApiSettings(new System.Collections.Hashtable
        {
            ["CLBENCH_API_ClaimLedger__Submissions__GroupWriters"] = "4",
            ["CLBENCH_API_"] = "nameless",
            ["ClaimLedger__Submissions__LargestGroup"] = "8",
        });
        settings.ShouldBe(new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["ClaimLedger__Submissions__GroupWriters"] = "4" }, ignoreOrder: true);
    }

    /// <summary>
    /// The variant API of <c>--compare</c> gets what both get, then its own CLBENCH_B_ settings on top (overriding a
    /// shared one of the same name); the API as configured gets none of them.
    /// </summary>
    [Fact]
    public void The_variant_API_is_given_its_own_prefixed_variables_on_top_of_the_shared_ones()
    {
        var environment = new System.Collections.Hashtable
        {
            ["CLBENCH_API_ClaimLedger__Submissions__GroupWriters"] = "4",
            ["CLBENCH_API_ClaimLedger__Submissions__LargestGroup"] = "16",
            ["CLBENCH_B_ClaimLedger__Submissions__GroupWriters"] = "3",
            ["CLBENCH_B_ClaimLedger__Http__InlineScheduling"] = "true",
        };
        BenchmarkProgram.ApiSettings(environment, variant: true).ShouldBe(new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "0", ["ClaimLedger__Submissions__GroupWriters"] = "3", ["ClaimLedger__Submissions__LargestGroup"] = "16",
            ["ClaimLedger__Http__InlineScheduling"] = "true",
        }, ignoreOrder: true);
        BenchmarkProgram.ApiSettings(environment).ShouldBe(new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "0", ["ClaimLedger__Submissions__GroupWriters"] = "4", ["ClaimLedger__Submissions__LargestGroup"] = "16",
        }, ignoreOrder: true);
    }

    /// <summary>
    /// <c>--compare</c> runs two APIs, each on a database of its own, in alternating HTTP windows, and reports the median
    /// round's variant ÷ as configured with every round and the variant's settings; without any, it says it is an A/A run.
    /// </summary>
    [Fact]
    public async Task The_benchmark_program_compares_two_APIs_in_alternating_windows_in_its_compare_mode()
    {
        var (markdown, output, _) = await RunProgramAsync("smoke-compare", "--smoke", "--compare");
        markdown.ShouldMatch(@"\| HTTP \| claim submissions at 8 clients, the variant ÷ as configured, alternating \d+ s windows \(median of \d+\) \| \d+\.\d+ \| × \|" +
                             @".*the variant's settings: none \(no CLBENCH_B_ variable: an A/A comparison, the noise\); rounds \(claims/s, variant ÷ as configured\): [\d,]+ / [\d,]+ = \d\.\d\d");
        output.ShouldMatch(@"round 1: as configured [\d,]+ claims/s; .*CPU busy");
        output.ShouldMatch(@"round 1: variant [\d,]+ claims/s; .*CPU busy");
        markdown.ShouldNotContain("Marten alone");
    }

    /// <summary>
    /// <c>--rebuild</c> seeds a ledger like the full run's and rebuilds each projection from it, alone, with what ran beside
    /// each rebuild (the machine's CPU, checkpoints, autovacuum) in its row.
    /// </summary>
    [Fact]
    public async Task The_benchmark_program_rebuilds_every_projection_of_a_seeded_ledger_in_its_rebuild_mode()
    {
        var (markdown, _, _) = await RunProgramAsync("smoke-rebuild", "--smoke", "--rebuild");
        foreach (var projection in new[] { "FigurePicture", "FigureHistory", "Claim" })
        {
            var row = markdown.Split('\n').Single(line => line.StartsWith($"| Rebuild | {projection} rebuild ("));
            // The seeded ledger: submissions, evidence, a figure's claims and a claim's events (about 540 in smoke mode).
            int.Parse(System.Text.RegularExpressions.Regex.Match(row, @"\(([\d,]+) events\)").Groups[1].Value.Replace(",", "")).ShouldBeGreaterThan(500);
            row.ShouldContain("| ≥ 20,000 events/s |");
            row.ShouldContain("beside it: ");
            row.ShouldContain("CPU busy");
            row.ShouldMatch(@"WAL \d+\.\d MB/s in [\d,]+ flushes/s");
        }
        markdown.ShouldNotContain("| HTTP |");
    }

    /// <summary>
    /// Runs the benchmark program with <paramref name="args"/>, writing into a folder of its own, and checks that it
    /// succeeded: its markdown report for <paramref name="mode"/>, what it printed, and whether it wrote the JSON too.
    /// </summary>
    private static async Task<(string Markdown, string Output, bool Json)> RunProgramAsync(string mode, params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("claimledger-bench-");
        try
        {
            var output = new StringWriter();
            (await BenchmarkProgram.RunAsync([.. args, "--out", folder.FullName], output)).ShouldBe(0, output.ToString());
            return (await File.ReadAllTextAsync(Path.Combine(folder.FullName, $"benchmarks-{mode}.md")), output.ToString(),
                File.Exists(Path.Combine(folder.FullName, $"benchmarks-{mode}.json")));
        }
        finally { folder.Delete(true); }
    }
}
