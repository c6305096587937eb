using ClaimLedger.Access;
using Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Storage;

/// <summary>
/// The frame every write runs in: the actor recorded on its events, the Idempotency-Key honoured, and the response
/// sent only after the transaction that holds the events (and the idempotency record) has committed.
/// </summary>
public static class LedgerWrite
{
    public static async Task<IResult> RunAsync<TRequest>(HttpContext http, IDocumentSession session,
        Func<TRequest, Actor, LedgerTransaction, Task<IResult>> write,
        Func<TRequest, Actor, Task<IResult?>>? together = null) where TRequest : class
    {
        var ct = http.RequestAborted;
        var actor = Actor.From(http.User);
        session.LastModifiedBy = actor.Name;

        var (request, unreadable) = await RequestBody.ReadAsync<TRequest>(http);
        if (request is null) return unreadable!;

        var (key, badKey) = IdempotencyKey.From(http, actor, request);
        if (badKey != null) return badKey;
        // A write without an Idempotency-Key may share a transaction with others (Throughput.GroupCommit.SubmissionGroups);
        // it is written alone here when it cannot.
        if (key is null && together != null && await together(request, actor) is { } written) return written;

        var transaction = await LedgerTransaction.StartAsync(session, ct);
        if (key != null)
        {
            // Under the key's lock, before anything is decided: a repeat that raced the first answers as the first did.
            var first = key.GuardAsync(transaction.Reads);
            await transaction.OpenAsync(ct);
            if (key.Replay(await first) is { } replay) return replay;
        }
        var result = await write(request, actor, transaction);
        if (result is not LedgerResponse response) return result; // a refusal: nothing was appended
        // A write that read nothing first still takes its transaction id before its events are numbered.
        await transaction.OpenAsync(ct);

        if (key != null) key.Remember(session, response, http.RequestServices.GetRequiredService<TimeProvider>());
        await CommitAsync(http, session, () => transaction.Id);
        return response;
    }

    /// <summary>
    /// Commits a write's session. Not bound to the request: once the commit starts, a client hanging up must not leave it
    /// in doubt. A repeat of the write's Idempotency-Key cannot commit beside it: it waits on the key's lock, and the
    /// record is an Insert. A commit whose answer was lost is acknowledged when PostgreSQL says that
    /// <paramref name="transactionId"/> committed, and fails as it would otherwise.
    /// </summary>
    public static async Task CommitAsync(HttpContext http, IDocumentSession session, Func<string?> transactionId)
    {
        try
        {
            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e) when (CommitsInDoubt.InDoubt(e))
        {
            if (await CommitsInDoubt.CommittedAsync(session.DocumentStore, transactionId(), CommitsInDoubt.Patience) != true) throw;
            http.RequestServices.GetRequiredService<ILogger<LedgerTransaction>>()
                .LogWarning(e, "A write's commit was in doubt; it had committed");
        }
    }
}
