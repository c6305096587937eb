using ClaimLedger.IntegrationTests.Support;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>
/// A commit whose answer is lost (the connection cut once PostgreSQL has run it): the write is stored, so it is
/// acknowledged — never a 5xx for what is stored — and it is stored once.
/// </summary>
public class CommitInDoubtTests : IAsyncLifetime
{
    private TcpProxy _proxy = null!;
    private LedgerApi _api = null!;

    public async Task InitializeAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await TestDatabase.CreateAsync("in-doubt"));
        _proxy = new TcpProxy(direct.Host!, direct.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _proxy.Port, Timeout = 3, CommandTimeout = 5 };
        _api = await LedgerApi.StartOnDatabaseAsync(viaProxy.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(false)] // a group's commit, which travels with its events
    [InlineData(true)] // a lone write's own COMMIT (a submission with an Idempotency-Key is written alone)
    public async Task A_submission_whose_commit_answer_is_lost_is_acknowledged_and_stored_once(bool alone)
    {
        var source = await _api.Source();
        var originator = $"OSDH {Guid.NewGuid():N}";
        var headers = alone ? new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() } : null;
        _proxy.CutAtTheCommitAfter(originator);
        var r = await _api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = originator }, headers: headers);
        r.Status.ShouldBe(201, r.Body);
        var id = r.Json.GetProperty("id").GetGuid();
        (await _api.Get($"/api/claims/{id}")).Status.ShouldBe(200);
        await using var session = _api.Store.QuerySession();
        (await session.QueryAsync<long>("select count(*) from claimledger.mt_events where data->>'attributedTo' = ?", originator)).Single().ShouldBe(1);
    }
}
