using Marten;
using Marten.Services.BatchQuerying;

namespace ClaimLedger.Storage;

/// <summary>
/// Every transaction that appends events starts here, except a claim write's (its exclusive load of the claim takes the
/// id: <see cref="Claims.ClaimRequest"/>): it is opened before any lock or read, and it takes its transaction id in its
/// first round trip, before any event draws a sequence number. An in-flight transaction that already holds event
/// sequence numbers is then always visible in a snapshot's list of running transactions, which is how the ledger's
/// sequencer tells a gap that will still be filled from one that never will (<see cref="Audit.LedgerSequencer"/>).
/// </summary>
/// <remarks>
/// A write queues its reads and locks on <see cref="Reads"/> so that they travel together in one round trip (the first
/// also carries the transaction id): on a loaded server every round trip costs both processes CPU, not only time.
/// </remarks>
public sealed class LedgerTransaction
{
    private readonly IDocumentSession _session;
    private IBatchedQuery? _queued;
    private Task<IReadOnlyList<string>>? _id;

    /// <summary>
    /// The transaction's id as PostgreSQL gave it in the first round trip (what <see cref="CommitsInDoubt"/> asks about).
    /// </summary>
    public string? Id => _id is { IsCompletedSuccessfully: true } id && id.Result.Count == 1 ? id.Result[0] : null;

    private LedgerTransaction(IDocumentSession session) => _session = session;

    /// <summary>The next round trip's reads and locks, sent in order (after the transaction id, in the first).</summary>
    public IBatchedQuery Reads => _queued ??= _session.CreateBatchQuery();

    /// <summary>Begins the transaction; nothing is sent until <see cref="OpenAsync"/>.</summary>
    public static async Task<LedgerTransaction> StartAsync(IDocumentSession session, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var transaction = new LedgerTransaction(session);
        transaction._id = transaction.Reads.Query<string>("select pg_current_xact_id()::text");
        return transaction;
    }

    /// <summary>Begins the transaction and takes its id at once (for writers that read nothing first).</summary>
    public static async Task<LedgerTransaction> BeginAsync(IDocumentSession session, CancellationToken ct)
    {
        var transaction = await StartAsync(session, ct);
        await transaction.OpenAsync(ct);
        return transaction;
    }

    /// <summary>Sends what is queued on <see cref="Reads"/>: the first time, the transaction id with it.</summary>
    public async Task OpenAsync(CancellationToken ct)
    {
        if (_queued is not { } batch) return;
        _queued = null;
        await batch.Execute(ct);
    }
}
