using Marten;
using Marten.Services;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Support;

/// <summary>The statements a session sent through Marten, in order, in how many round trips, and the failures it logged.</summary>
public sealed class SentStatements : IMartenSessionLogger
{
    /// <summary>Each round trip's statements.</summary>
    public List<List<string>> RoundTrips { get; } = [];
    public IEnumerable<string> Statements => RoundTrips.SelectMany(r => r);

    public void OnBeforeExecute(NpgsqlBatch batch) =>
        RoundTrips.Add(batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText).ToList());

    public void OnBeforeExecute(NpgsqlCommand command) => RoundTrips.Add([command.CommandText]);

    /// <summary>The failures the session logged.</summary>
    public List<Exception> Failures { get; } = [];

    public void LogSuccess(NpgsqlCommand command) { }
    public void LogFailure(NpgsqlCommand command, Exception ex) => Failures.Add(ex);
    public void LogSuccess(NpgsqlBatch batch) { }
    public void LogFailure(NpgsqlBatch batch, Exception ex) => Failures.Add(ex);
    public void LogFailure(Exception ex, string message) => Failures.Add(ex);
    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }
}
