using ClaimLedger.Figures.Picture;
using Marten;
using Marten.Services.BatchQuerying;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.Figures;

/// <summary>
/// Serialises the writers of one figure for the rest of the transaction (an advisory transaction lock), taken before
/// Marten numbers the events so that sequence order is apply order on every figure. In the same round trip it reads
/// what the figure's inline projection is about to need (the picture, and the claim's own entry when a claim changes):
/// read under the lock, it is the latest state, and the projection then need not read it again (<see cref="ReadUnderLock"/>).
/// </summary>
public static class FigureLock
{
    /// <summary>The advisory lock of a figure is (LockSpace, Key(figureId)).</summary>
    public const int LockSpace = 0x434C46; // "CLF"

    /// <summary>Queues the lock and the reads on a batch the caller sends (inside the write's transaction).</summary>
    public static void Acquire(IBatchedQuery batch, IDocumentSession session, Guid figureId, Guid? claimId = null)
    {
        _ = batch.Query<string>("select 'locked' from (select pg_advisory_xact_lock(?, ?)) as locked", LockSpace, Key(figureId));
        var reads = ReadUnderLock.Of(session);
        reads.Pictures[figureId] = batch.Load<FigurePicture>(figureId);
        if (claimId is { } id) reads.Claims[id] = batch.Load<FigureClaim>(id);
    }

    /// <summary>
    /// Queues the locks of several figures, in the order of their lock keys: two writers that each hold several figure
    /// locks then always take them in the same order and cannot deadlock (every other writer holds one at most).
    /// </summary>
    public static void AcquireAll(IBatchedQuery batch, IDocumentSession session, IEnumerable<Guid> figureIds)
    {
        foreach (var figureId in InLockOrder(figureIds)) Acquire(batch, session, figureId);
    }

    /// <summary>The order every writer takes several figure locks in (<see cref="AcquireAll"/>, <see cref="CommittedPictures"/>).</summary>
    public static IEnumerable<Guid> InLockOrder(IEnumerable<Guid> figureIds) => figureIds.Distinct().OrderBy(Key).ThenBy(id => id);

    /// <summary>Takes the lock (and its reads) in a round trip of its own.</summary>
    public static async Task AcquireAsync(IDocumentSession session, Guid figureId, Guid? claimId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        Acquire(batch, session, figureId, claimId);
        await batch.Execute(ct);
    }

    public static int Key(Guid figureId) => BitConverter.ToInt32(figureId.ToByteArray(), 12);
}
