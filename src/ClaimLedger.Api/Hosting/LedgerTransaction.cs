using Marten;

namespace ClaimLedger.Hosting;

/// <summary>
/// Every transaction that appends events starts here: it is opened before any lock or read, and it takes its
/// transaction id at once. An in-flight transaction that already holds event sequence numbers is then always visible
/// in a snapshot's list of running transactions, which is how the ledger's sequencer tells a gap that will still be
/// filled from one that never will (<see cref="Audit.LedgerSequencer"/>).
/// </summary>
public static class LedgerTransaction
{
    public static async Task BeginAsync(IDocumentSession session, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = session.Connection!.CreateCommand();
        command.CommandText = "select pg_current_xact_id()";
        await command.ExecuteScalarAsync(ct);
    }
}
