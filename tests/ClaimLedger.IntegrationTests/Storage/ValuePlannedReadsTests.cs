using ClaimLedger.Claims;
using ClaimLedger.Claims.Searching;
using ClaimLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ClaimLedger.Storage;

namespace ClaimLedger.IntegrationTests.Storage;

/// <summary>
/// Searches are planned with their words (<see cref="ValuePlannedReads"/>): on the ledger's pool the search statement
/// would be prepared, and PostgreSQL's generic plan for it reads every claim that matches a common word; the pool the
/// searches run on prepares nothing.
/// </summary>
public class ValuePlannedReadsTests : IAsyncLifetime
{
    private LedgerApi _api = null!;

    private List<ClaimSummary> _claims = null!;

    public async Task InitializeAsync()
    {
        _api = await LedgerApi.StartAsync("valueplanned");
        var random = new Random(7);
        var vocabulary = Enumerable.Range(0, 3000).Select(i => $"mot{i}").ToArray();
        var start = DateTimeOffset.UtcNow.AddDays(-100);
        // Word i is drawn about 1/(i+1) as often as the first (Zipf), as in text: "mot0" is in most quotes; one quote
        // in four thousand has "zanzibar".
        _claims = Enumerable.Range(0, 20_000).Select(i => new ClaimSummary
        {
            Id = Guid.NewGuid(), Version = 1, Status = ClaimStatus.Submitted, AttributedTo = "OSDH", SourceId = Guid.NewGuid(),
            Quote = string.Join(' ', Enumerable.Range(0, 10).Select(_ =>
                vocabulary[(int)Math.Min(vocabulary.Length - 1, Math.Floor(Math.Exp(random.NextDouble() * Math.Log(vocabulary.Length))) - 1)]))
                    + (i % 4000 == 0 ? " zanzibar" : ""),
            SubmittedBy = "checker", LastChangedAt = ClaimSummary.Micros(start.AddSeconds(i * 400)),
        }).ToList();
        await _api.Store.BulkInsertAsync(_claims);
        await ExecuteAsync(_api.ConnectionString, $"analyze {ClaimSummary.Table}");
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static (string Sql, object[] Parameters) Search(string word) =>
        new ClaimQuery([word], []).Statement(null, 51);

    /// <summary>
    /// Pins why searches do not run on the ledger's pool: Npgsql prepares the statement there, and a generic plan, which
    /// PostgreSQL may settle on after five executions, is one plan for every word, where the plans made with the words
    /// read a rare word through the term index and a common one through the order's index.
    /// </summary>
    [Fact]
    public async Task On_the_ledgers_pool_a_search_is_prepared_and_its_generic_plan_is_one_for_every_word()
    {
        var settings = new NpgsqlConnectionStringBuilder(LedgerDatabase.Tuned(_api.ConnectionString)) { Pooling = false };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        for (var i = 0; i < 3; i++) (await CountAsync(connection, Search("zanzibar"))).ShouldBe(5);
        var name = await ScalarAsync<string>(connection,
            "select name from pg_prepared_statements where statement like '%search_terms%' and not from_sql");
        name.ShouldNotBeNull("Npgsql prepares the search at its second use on a connection");

        var genericRare = await PlanAsync(connection, "force_generic_plan", name, "zanzibar");
        var genericCommon = await PlanAsync(connection, "force_generic_plan", name, "mot0");
        Shape(genericRare).ShouldBe(Shape(genericCommon), $"{genericRare}\n\n{genericCommon}");
        var customRare = await PlanAsync(connection, "force_custom_plan", name, "zanzibar");
        var customCommon = await PlanAsync(connection, "force_custom_plan", name, "mot0");
        customRare.ShouldContain("Bitmap Index Scan on claim_summary_terms", customMessage: customRare);
        customCommon.ShouldContain("Index Scan Backward using claim_summary_by_change", customMessage: customCommon);
    }

    /// <summary>A plan's nodes without their figures.</summary>
    private static string Shape(string plan) => string.Join('\n', plan.Split('\n')
        .Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"\(actual[^)]*\)|Rows Removed by [^:]*: \d+|Heap Blocks: \S+|Sort Method: .*", "").TrimEnd())
        .Where(line => line.Trim().Length > 0));

    [Fact]
    public async Task The_pool_searches_run_on_prepares_nothing()
    {
        var settings = new NpgsqlConnectionStringBuilder(ValuePlannedReads.Unprepared(LedgerDatabase.Tuned(_api.ConnectionString))) { Pooling = false };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        for (var i = 0; i < 10; i++) (await CountAsync(connection, Search(i % 2 == 0 ? "zanzibar" : "mot0"))).ShouldBe(i % 2 == 0 ? 5 : 51);
        (await ScalarAsync<long>(connection, "select count(*) from pg_prepared_statements")).ShouldBe(0);
    }

    [Fact]
    public async Task Reads_documents_with_their_values()
    {
        var reads = _api.Host.Services.GetRequiredService<ValuePlannedReads>();
        var (sql, parameters) = Search("zanzibar");
        var found = await reads.QueryAsync<ClaimSummary>(sql, parameters, CancellationToken.None);
        found.Select(c => c.Id).ShouldBe(new[] { 16000, 12000, 8000, 4000, 0 }.Select(i => _claims[i].Id));
        found[0].Quote.ShouldBe(_claims[16000].Quote);
    }

    private static async Task<string> PlanAsync(NpgsqlConnection connection, string mode, string statement, string word)
    {
        await using (var set = new NpgsqlCommand($"set plan_cache_mode = {mode}", connection)) await set.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand($"explain (analyze, costs off, timing off, summary off) execute {statement}('{word}:*', 51)", connection);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    private static async Task<int> CountAsync(NpgsqlConnection connection, (string Sql, object[] Parameters) statement)
    {
        await using var command = new NpgsqlCommand(statement.Sql, connection);
        foreach (var value in statement.Parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows++;
        return rows;
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T?)await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
