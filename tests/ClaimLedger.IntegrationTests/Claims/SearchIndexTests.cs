using System.Text.RegularExpressions;
using ClaimLedger.Claims;
using ClaimLedger.Claims.Reviewing;
using ClaimLedger.Claims.Searching;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Sources.Listing;
using Marten;
using Npgsql;
using Xunit.Abstractions;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary>
/// Every list is served by an index, never a scan of the table: the statements the endpoints run, explained by PostgreSQL
/// on 20,000 claim summaries and 2,000 source summaries (written directly, then analysed).
/// </summary>
public class SearchIndexTests(ITestOutputHelper output) : IAsyncLifetime
{
    private LedgerApi _api = null!;
    private readonly Guid[] _sources = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToArray();
    private static readonly string[] Vocabulary = Enumerable.Range(0, 3000).Select(i => $"mot{i}").ToArray();

    public async Task InitializeAsync()
    {
        _api = await LedgerApi.StartAsync("searchindex");
        var random = new Random(7);
        var start = DateTimeOffset.UtcNow.AddDays(-100);
        var claims = Enumerable.Range(0, 20_000).Select(i =>
        {
            // Word i of the vocabulary is drawn about 1/(i+1) as often as the first (Zipf): a few words in most quotes, most in few.
            var words = Enumerable.Range(0, 10).Select(_ => Vocabulary[(int)Math.Min(Vocabulary.Length - 1, Math.Floor(Math.Exp(random.NextDouble() * Math.Log(Vocabulary.Length))) - 1)]);
            var status = (ClaimStatus)random.Next(9);
            var at = ClaimSummary.Micros(start.AddSeconds(i * 400 + random.Next(400)));
            return new ClaimSummary
            {
                Id = Guid.NewGuid(), Version = 1, Status = status, AttributedTo = $"originator {random.Next(50)}", SourceId = _sources[random.Next(_sources.Length)],
                FigureId = random.Next(2) == 0 ? null : Guid.NewGuid(), Quote = string.Join(' ', words) + (i % 4000 == 0 ? " zanzibar" : ""),
                SubmittedBy = $"user{random.Next(10)}", LastChangedAt = at,
                Pending = status is ClaimStatus.Submitted or ClaimStatus.UnderReview ? new PendingDecision(PendingReason.AwaitingVerdict, at, "user0") : null,
            };
        }).ToList();
        await _api.Store.BulkInsertAsync(claims);
        var sources = Enumerable.Range(0, 2_000).Select(i => new SourceSummary
        {
            Id = Guid.NewGuid(), Title = $"Titre {Vocabulary[random.Next(Vocabulary.Length)]} {(i % 500 == 0 ? "zanzibar" : "")}", Outlet = $"outlet {random.Next(20)}",
            Language = "fr", RegisteredAt = ClaimSummary.Micros(start.AddMinutes(i)),
        }).ToList();
        await _api.Store.BulkInsertAsync(sources);
        await using var conn = new NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var analyse = new NpgsqlCommand($"analyze {ClaimSummary.Table}; analyze {SourceSummary.Table}", conn);
        await analyse.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public static TheoryData<string, string> ClaimLists => new()
    {
        { "", "claim_summary_by_change" },
        { "q=zanzibar", "claim_summary_terms" },
        { "q=mot2900", "claim_summary_terms" },
        { "q=mot0", "claim_summary_by_change" },
        { "q=mot1 mot2", "claim_summary_" },
        { "status=disputed&q=mot3", "claim_summary_" },
        { "source&q=mot5", "claim_summary_terms" },
        { "source", "claim_summary_" },
        { "status=retracted", "claim_summary_" },
        { "attributedTo=originator 7&submittedBy=user3", "claim_summary_" },
    };

    [Theory]
    [MemberData(nameof(ClaimLists))]
    public async Task Every_claim_list_reads_through_an_index(string parameters, string index)
    {
        string? Value(string name) => parameters.Split('&').Select(p => p.Split('=')).FirstOrDefault(p => p[0] == name) is { Length: 2 } p ? p[1] : null;
        var source = parameters.Contains("source") ? _sources[3].ToString() : null;
        var (query, problem) = ClaimQuery.Read(Value("status"), null, source, Value("attributedTo"), Value("submittedBy"), Value("q"));
        problem.ShouldBeNull();
        await ExpectIndexAsync(query!.Statement(null, 51), index, parameters);
        // A page deep in the list: a range of the same index from the cursor.
        await ExpectIndexAsync(query.Statement((DateTimeOffset.UtcNow.AddDays(-50), Guid.Empty), 51), index, parameters + " after a cursor");
    }

    [Fact]
    public async Task The_review_queue_reads_the_pending_claims_index()
    {
        await ExpectIndexAsync(PendingReviewsEndpoint.Statement("rita", null, 51), "claim_summary_pending", "review queue");
        await ExpectIndexAsync(PendingReviewsEndpoint.Statement("rita", (DateTimeOffset.UtcNow.AddDays(-50), Guid.Empty), 51), "claim_summary_pending", "review queue page");
    }

    [Fact]
    public async Task Source_lists_read_their_indexes()
    {
        await ExpectIndexAsync(ListSourcesEndpoint.Statement([], null, 51), "source_summary_by_registration", "sources");
        await ExpectIndexAsync(ListSourcesEndpoint.Statement(["zanzibar"], null, 51), "source_summary_terms", "sources q=zanzibar");
    }

    /// <summary>Explains (and runs) the statement; its plan must use an index whose name starts so, and scan no table.</summary>
    private async Task ExpectIndexAsync((string Sql, object[] Parameters) statement, string index, string what)
    {
        var position = 0;
        var sql = Regex.Replace(statement.Sql, @"\?", _ => $"${++position}");
        await using var conn = new NpgsqlConnection(_api.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("explain (analyze, costs off, timing off, summary on) " + sql, conn);
        foreach (var parameter in statement.Parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = parameter });
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        var text = string.Join('\n', plan);
        output.WriteLine($"-- {what}\n{sql}\n{text}\n");
        text.ShouldNotContain("Seq Scan", customMessage: text);
        text.ShouldContain(index, customMessage: text);
    }
}
