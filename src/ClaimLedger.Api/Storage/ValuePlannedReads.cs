using Marten;
using Npgsql;

namespace ClaimLedger.Storage;

/// <summary>
/// Reads whose best plan depends on their values, run on a pool of their own where no statement is prepared, so that
/// PostgreSQL plans each one with its values.
/// </summary>
/// <remarks>
/// A search's page wants the term index when its words are rare (a few rows, sorted) and the order's index when they
/// are common (read from the newest, stopping at the page's end). On the ledger's pool, Npgsql prepares a statement at
/// its second use (<see cref="LedgerDatabase.Tuned"/>), and after five executions PostgreSQL may settle on one generic
/// plan for every value, chosen from estimates made without them. Measured at 100,000 claims: the generic plan took
/// 250 ms for a common word (a bitmap of 58,000 rows, then sorted) where the plan made with the word took 1.6 ms, and
/// every search of the benchmark's full run was that slow. A statement that is not prepared is planned at each
/// execution (Npgsql sends it unnamed); planning a search costs about 0.2 ms. Marten opens sessions only on its own
/// pool, so these reads run through Npgsql and read their documents with Marten's serializer.
/// <c>ValuePlannedReadsTests</c> pins both halves: the ledger's pool prepares the search and PostgreSQL's generic plan
/// for it is one plan for every word; this pool prepares nothing.
/// </remarks>
public sealed class ValuePlannedReads(IDocumentStore store, LedgerDatabase database) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(Unprepared(database.ConnectionString));

    /// <summary>The ledger's connection string with no statement prepared automatically.</summary>
    public static string Unprepared(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 0 }.ConnectionString;

    /// <summary>
    /// The documents that <paramref name="sql"/> selects as its first column (<c>select data …</c>, with Npgsql's
    /// positional parameters), planned with <paramref name="parameters"/>.
    /// </summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object[] parameters, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var serializer = store.Options.Serializer();
        var documents = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) documents.Add(serializer.FromJson<T>(reader, 0));
        return documents;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
