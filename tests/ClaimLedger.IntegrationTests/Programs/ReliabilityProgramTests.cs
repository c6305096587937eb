using ClaimLedger.Reliability;

namespace ClaimLedger.IntegrationTests.Programs;

/// <summary>The long runs in their short modes: the same programs, the same checks, fewer kills and seconds.</summary>
[Collection("separate processes")]
public class ReliabilityProgramTests
{
    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var output = new StringWriter();
        var exit = await ReliabilityProgram.RunAsync(args, output);
        return (exit, output.ToString());
    }

    [Fact]
    public async Task Killed_with_SIGKILL_under_8_writers_every_acknowledged_write_is_stored_once_and_the_ledger_verifies()
    {
        var (exit, output) = await Run("crash", "--kills", "3");
        exit.ShouldBe(0, output);
        output.ShouldContain("\"kills\": 3");
    }

    [Fact]
    public async Task When_the_sequencing_node_dies_another_takes_over_and_no_event_is_missed()
    {
        var (exit, output) = await Run("takeover");
        exit.ShouldBe(0, output);
        output.ShouldContain("takeoverSeconds");
    }

    [Fact]
    public async Task A_short_soak_keeps_memory_and_latency_flat()
    {
        var (exit, output) = await Run("soak", "--seconds", "20");
        exit.ShouldBe(0, output);
    }
}
