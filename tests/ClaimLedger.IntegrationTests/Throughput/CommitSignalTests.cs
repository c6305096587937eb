using ClaimLedger.Audit;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ClaimLedger.Throughput;

namespace ClaimLedger.IntegrationTests.Throughput;

/// <summary>
/// The daemon and the ledger sequencer follow this node's commits as they pause: here both are told to poll only once a
/// minute, so what they follow within seconds they followed because they were woken.
/// </summary>
public class CommitSignalTests : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("commit-signal", new Dictionary<string, string>
    {
        ["ClaimLedger:Ledger:PollMilliseconds"] = "60000",
    });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private CommitSignal Signal => _api.Host.Services.GetRequiredService<CommitSignal>();

    [Fact]
    public async Task Commits_of_events_are_signalled_and_commits_of_documents_alone_are_not()
    {
        var before = Signal.Commits;
        var source = await _api.Source();
        await _api.Claim(source, await _api.Figure(), 242, "OSDH");
        Signal.Commits.ShouldBeGreaterThanOrEqualTo(before + 3);

        var afterWrites = Signal.Commits;
        await using (var session = _api.Store.LightweightSession())
        {
            session.Store(new ClaimLedger.Web.IdempotentResponse($"someone\n{Guid.NewGuid()}", "hash", 200, "{}", null, null, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        Signal.Commits.ShouldBe(afterWrites);
    }

    [Fact]
    public async Task A_lone_write_reaches_the_history_and_the_ledger_without_their_polling()
    {
        var options = ((DocumentStore)_api.Store).Options;
        options.Projections.Wakeup.ShouldBeOfType<CommitSignal.Follower>();
        var source = await _api.Source();
        var figure = await _api.Figure();
        await SettledAsync(Minute);

        // From now on the high-water agent polls once a minute; let any shorter wait it is in run out.
        options.Projections.FastPollingTime = Minute;
        options.Projections.SlowPollingTime = Minute;
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await _api.Claim(source, figure, 260, "OSDH");
        await SettledAsync(TimeSpan.FromSeconds(20));
    }

    private async Task SettledAsync(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var behind = await _api.ScalarAsync($"select greatest(({FigureHistoryProjection.LagSql}), ({LedgerSchema.LagSql}))");
            if (behind == 0) return;
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"the history or the ledger is still {behind} events behind");
            await Task.Delay(20);
        }
    }
}
