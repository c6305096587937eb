using ClaimLedger.Claims;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary>
/// A rebuild folds the next range of claim events while the one before is still being written
/// (<see cref="ClaimProjection"/>): a claim whose events span ranges must still come back exactly as its writes left it.
/// </summary>
public class ClaimRebuildTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("claim-rebuild");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_rebuild_gives_back_every_claim_as_its_writes_left_it_whether_its_state_was_carried_or_loaded_back()
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

        // Ranges of twelve events: a claim's next event comes ten events later, in the same range or the next, while
        // its previous state is still waiting to be written, so it is carried.
        await RebuildAsync(batchSize: 12, carriedClaims: 50_000);
        (await ClaimsAsync()).ShouldBe(live, ignoreOrder: true);
        // Ranges of one event, nothing carried past the last eight: a claim's next event comes ten ranges later, and its
        // state is loaded back from what the earlier ranges wrote.
        await RebuildAsync(batchSize: 1, carriedClaims: 0);
        (await ClaimsAsync()).ShouldBe(live, ignoreOrder: true);
    }

    private Task RebuildAsync(int batchSize, int carriedClaims) => _api.RebuildAsync(ClaimProjection.ProjectionName, options =>
    {
        var projection = options.Projections.All.OfType<ClaimProjection>().Single();
        (projection.Options.BatchSize, projection.CarriedClaims) = (batchSize, carriedClaims);
    });

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
