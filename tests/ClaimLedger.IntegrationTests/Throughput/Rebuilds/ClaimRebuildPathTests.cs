using ClaimLedger.Claims;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Storage;
using ClaimLedger.Throughput.Rebuilds;
using Marten.Events.Aggregation;

namespace ClaimLedger.IntegrationTests.Throughput.Rebuilds;

/// <summary>
/// The claim document's rebuild runs on the faster path (<see cref="PipelinedSnapshot{TDoc}"/>: the next range folded
/// while the one before is still being written). Pinned to Marten's own: over the same events, Marten's own rebuild and
/// the faster one must leave every claim document identical — its data and its version column — whether a claim's
/// state was carried from a range not yet committed or loaded back from what the earlier ranges wrote.
/// </summary>
public class ClaimRebuildPathTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("claim-rebuild-path");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task The_faster_rebuild_leaves_every_claim_as_Marten_s_own_rebuild_does()
    {
        var source = await _api.Source();
        var figure = await _api.Figure();
        var claims = new List<Guid>();
        for (var i = 0; i < 10; i++) claims.Add(await _api.Claim(source, i % 2 == 0 ? figure : null, 200 + i, $"originator {i}"));
        await _api.WriteInTurnAsync(claims, rounds: 6, (round, i, path) => round switch
        {
            0 or 3 => _api.Post($"{path}/evidence", new { sourceId = source, stance = "supports", note = $"round {round}" }),
            1 => _api.Post($"{path}/disputes", new { reason = $"round {round}" }, LedgerApi.OtherChecker),
            2 => _api.ResolveOpenDispute(claims[i]),
            4 => _api.Post($"{path}/verdict", new { verdict = "misleading", note = $"round {round}" }, LedgerApi.Reviewer),
            _ => _api.Post($"{path}/corrections", new { attributedTo = "SOHR", reason = $"round {round}" }),
        });
        (await _api.ScalarAsync("select count(*) from claimledger.mt_events where stream_id = any(@ids)", ("ids", claims.ToArray()))).ShouldBe(10 * 7);
        var live = await ClaimsAsync();
        live.Values.Count(c => c.Contains("\"evidenceCount\": 2")).ShouldBe(claims.Count);

        await _api.RebuildAsync(ClaimProjection.ProjectionName, o => Registered(o).Options.BatchSize = 12, RebuildPath.Marten);
        Registered(LedgerStore.For(_api.ConnectionString, RebuildPath.Marten)).ShouldBeOfType<ClaimProjection>();
        var martens = await ClaimsAsync();
        martens.ShouldBe(live, ignoreOrder: true);

        // Ranges of twelve events: a claim's next event comes ten events later, in the same range or the next, while
        // its previous state is still waiting to be written, so it is carried.
        await RebuildFasterAsync(batchSize: 12, carried: 50_000);
        (await ClaimsAsync()).ShouldBe(martens, ignoreOrder: true);
        // Ranges of one event, nothing carried past the last eight: a claim's next event comes ten ranges later, and its
        // state is loaded back from what the earlier ranges wrote.
        await RebuildFasterAsync(batchSize: 1, carried: 0);
        (await ClaimsAsync()).ShouldBe(martens, ignoreOrder: true);
    }

    private Task RebuildFasterAsync(int batchSize, int carried) => _api.RebuildAsync(ClaimProjection.ProjectionName, options =>
    {
        var projection = Registered(options).ShouldBeOfType<PipelinedSnapshot<Claim>>();
        (projection.Options.BatchSize, projection.CarriedDocuments) = (batchSize, carried);
    });

    private static SingleStreamProjection<Claim, Guid> Registered(Marten.StoreOptions options) =>
        options.Projections.All.OfType<SingleStreamProjection<Claim, Guid>>().Single();

    /// <summary>Every claim document with its version column (the claim's stream version, which writes check).</summary>
    private async Task<Dictionary<Guid, string>> ClaimsAsync()
    {
        await using var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select id, mt_version, data::text from claimledger.mt_doc_claim", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var claims = new Dictionary<Guid, string>();
        while (await reader.ReadAsync()) claims[reader.GetGuid(0)] = $"{reader.GetValue(1)} {reader.GetString(2)}";
        return claims;
    }
}
