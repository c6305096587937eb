using ClaimLedger.IntegrationTests.Support;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Figures;

/// <summary>
/// A randomised history of thousands of events from concurrent writers, then `projections rebuild`: every projected
/// document must come back identical (Marten's daemon has had bugs that skip events under concurrent commits).
/// </summary>
public class RebuildTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    public async Task InitializeAsync() => _api = await LedgerApi.StartAsync("rebuild");
    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_rebuild_after_a_concurrent_random_history_gives_back_every_document_identical()
    {
        var source = await _api.Source();
        var figures = new[] { await _api.Figure(), await _api.Figure(), await _api.Figure() };
        var claims = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        foreach (var f in figures) claims.Add(await _api.Claim(source, f));

        var writers = Enumerable.Range(0, 8).Select(async writer =>
        {
            var random = new Random(writer * 7919);
            for (var i = 0; i < 320; i++)
            {
                var known = claims.ToArray();
                var claim = known[random.Next(known.Length)];
                var path = $"/api/claims/{claim}";
                var response = random.Next(20) switch
                {
                    < 7 => await _api.Post("/api/claims", new
                    {
                        sourceId = source, quote = "242 victimes", attributedTo = $"originator {random.Next(5)}",
                        figureId = figures[random.Next(figures.Length)], value = new { amount = random.Next(1000), bound = "at_least" },
                    }),
                    < 11 => await _api.Post($"{path}/evidence", new { sourceId = source, stance = "contradicts", note = $"w{writer} {i}" }),
                    < 13 => await _api.Post($"{path}/verdict", new { verdict = random.Next(2) == 0 ? "verified" : "misleading", note = $"w{writer} {i}" }, LedgerApi.Reviewer),
                    < 15 => await _api.Post($"{path}/corrections", new { value = new { amount = random.Next(1000), bound = "exact" }, reason = $"w{writer} {i}" }),
                    < 17 => await _api.Post($"{path}/disputes", new { reason = $"w{writer} {i}" }, LedgerApi.OtherChecker),
                    17 => await _api.Post($"{path}/retraction", new { reason = $"w{writer} {i}" }),
                    _ => await _api.ResolveOpenDispute(claim),
                };
                response.Status.ShouldBeLessThan(500, response.Body);
                if (response.Status == 201 && response.Json.TryGetProperty("id", out var id)) claims.Add(id.GetGuid());
            }
        });
        await Task.WhenAll(writers);

        await _api.WaitForProjectionsAsync();
        var events = await ScalarAsync("select count(*) from claimledger.mt_events");
        events.ShouldBeGreaterThan(2000);
        var live = await SnapshotAsync();
        (await ScalarAsync("select count(*) from claimledger.mt_doc_figurerevision")).ShouldBeGreaterThan(1000);

        var outcome = await Repository.RunAsync("dotnet", [Repository.ApiAssembly, "projections", "rebuild"], Repository.Root,
            new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = _api.ConnectionString }, TimeSpan.FromMinutes(5));
        outcome.ExitCode.ShouldBe(0, outcome.StandardOutput + outcome.StandardError);

        var rebuilt = await SnapshotAsync();
        ClaimLedger.Reliability.ProjectionSnapshot.Compare(live, rebuilt).ShouldBeEmpty();
        live["mt_doc_figurerevision"].Count.ShouldBe(rebuilt["mt_doc_figurerevision"].Count);
        // The history the daemon kept counts what the inline picture counted, figure by figure.
        (await ScalarAsync("select count(*) from claimledger.mt_doc_figurepicture p join claimledger.mt_doc_figurehistorypicture h on h.id = p.id " +
                           "where (p.data->>'revisionCount') <> (h.data->>'revisionCount')")).ShouldBe(0);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private Task<Dictionary<string, Dictionary<string, string>>> SnapshotAsync() => ClaimLedger.Reliability.ProjectionSnapshot.TakeAsync(_api.ConnectionString);
}
