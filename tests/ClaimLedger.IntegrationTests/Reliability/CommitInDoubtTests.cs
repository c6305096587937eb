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

    /// <summary>
    /// A claim write commits in Wolverine's aggregate workflow (Claims.ClaimRequest.CommitAsync): its transaction id is
    /// read with its events, so the COMMIT whose answer is lost is found committed.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_claim_write_whose_commit_answer_is_lost_is_acknowledged_and_stored_once(bool keyed)
    {
        var claim = await _api.Claim(await _api.Source(), await _api.Figure());
        var note = $"checked against the hospital's list {Guid.NewGuid():N}";
        var headers = keyed ? new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() } : null;
        _proxy.CutAtTheCommitAfter(note);
        var r = await _api.Post($"/api/claims/{claim}/verdict", new { verdict = "verified", note }, LedgerApi.Reviewer, headers);
        r.Status.ShouldBe(200, r.Body);
        r.ETag.ShouldBe("\"2\"");
        var events = (await _api.Get($"/api/claims/{claim}/events")).Json.EnumerateArray().ToList();
        events.Count.ShouldBe(2);
        events[1].GetProperty("data").GetProperty("note").GetString().ShouldBe(note);
    }
}
