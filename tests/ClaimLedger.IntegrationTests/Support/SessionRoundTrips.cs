using System.Collections.Concurrent;
using System.Data.Common;
using Marten;
using Marten.Services;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Support;

/// <summary>
/// Records, for every Marten session a host opens from now on, its round trips (each command or batch Marten sends) and
/// the values of their parameters, and passes everything on to the store's own logger. A request's round trips are then
/// those of the sessions that wrote as its user and named its claim or key (the daemon's sessions write as nobody).
/// Marten's own COMMIT is not a command it logs: a write that committed makes one round trip more.
/// </summary>
public sealed class SessionRoundTrips : IMartenLogger
{
    private readonly IMartenLogger _inner;
    private readonly ConcurrentQueue<Recorded> _sessions = new();

    private SessionRoundTrips(IMartenLogger inner) => _inner = inner;

    /// <summary>Puts itself in front of the store's logger; sessions opened before are not recorded.</summary>
    public static SessionRoundTrips Record(IDocumentStore store)
    {
        var options = ((DocumentStore)store).Options;
        var recorder = new SessionRoundTrips(options.Logger());
        options.Logger(recorder);
        return recorder;
    }

    /// <summary>The round trips of the sessions of <paramref name="user"/> that sent a parameter naming <paramref name="marker"/>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Of(string user, string marker) =>
        _sessions.Where(s => s.Session is IDocumentSession { LastModifiedBy: var by } && by == user && s.Named(marker))
            .SelectMany(s => s.RoundTrips).ToList();

    public void Clear() => _sessions.Clear();

    public IMartenSessionLogger StartSession(IQuerySession session)
    {
        var recorded = new Recorded(session, _inner.StartSession(session));
        _sessions.Enqueue(recorded);
        return recorded;
    }

    public void SchemaChange(string sql) => _inner.SchemaChange(sql);

    private sealed class Recorded(IQuerySession session, IMartenSessionLogger inner) : IMartenSessionLogger
    {
        public IQuerySession Session => session;

        private readonly ConcurrentQueue<IReadOnlyList<string>> _roundTrips = new();
        private readonly ConcurrentQueue<string> _values = new();

        public IEnumerable<IReadOnlyList<string>> RoundTrips => _roundTrips;

        public bool Named(string marker) => _values.Any(v => v.Contains(marker, StringComparison.OrdinalIgnoreCase));

        private void Keep(DbParameterCollection parameters)
        {
            foreach (DbParameter p in parameters) _values.Enqueue(p.Value?.ToString() ?? "");
        }

        public void OnBeforeExecute(NpgsqlCommand command)
        {
            _roundTrips.Enqueue([command.CommandText]);
            Keep(command.Parameters);
            inner.OnBeforeExecute(command);
        }

        public void OnBeforeExecute(NpgsqlBatch batch)
        {
            _roundTrips.Enqueue(batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText).ToList());
            foreach (NpgsqlBatchCommand c in batch.BatchCommands) Keep(c.Parameters);
            inner.OnBeforeExecute(batch);
        }

        public void LogSuccess(NpgsqlCommand command) => inner.LogSuccess(command);
        public void LogFailure(NpgsqlCommand command, Exception ex) => inner.LogFailure(command, ex);
        public void LogSuccess(NpgsqlBatch batch) => inner.LogSuccess(batch);
        public void LogFailure(NpgsqlBatch batch, Exception ex) => inner.LogFailure(batch, ex);
        public void LogFailure(Exception ex, string message) => inner.LogFailure(ex, message);
        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) => inner.RecordSavedChanges(session, commit);
    }
}
