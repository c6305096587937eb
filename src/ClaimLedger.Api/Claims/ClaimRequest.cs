using ClaimLedger.Access;
using ClaimLedger.Claims.Submitting;
using ClaimLedger.Figures;
using ClaimLedger.Storage;
using ClaimLedger.Web;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace ClaimLedger.Claims;

/// <summary>
/// A write to an existing claim as Wolverine's aggregate workflow runs it, one step per method of its endpoint:
/// <list type="number">
/// <item><see cref="ReadAsync{TBody}"/> (the endpoint's <c>ReadAsync</c>), holding no lock: the body, the
/// Idempotency-Key, If-Match, and the endpoint's own checks and text processing (a quote anchored in its source's text).
/// </item>
/// <item><see cref="GuardAsync"/>: with an Idempotency-Key, the key's lock and the key's first response, in the
/// transaction's first round trip.</item>
/// <item>The workflow's load (<c>[WriteAggregate]</c>, exclusive: <c>FetchForExclusiveWriting</c>) locks the claim's stream
/// and reads the claim; <see cref="Check"/> (the endpoint's <c>Validate</c>) answers 404 and 412.</item>
/// <item><see cref="DecideAsync"/> (the endpoint itself): the figure's lock, the rules' decision and the answer; the
/// workflow appends the events it returns, <see cref="CommitAsync"/> commits, and the answer is written last.</item>
/// </list>
/// <see cref="ClaimWriteStepsAttribute"/> puts the first two ahead of the load.
/// </summary>
public sealed class ClaimRequest
{
    private readonly bool _conditionMalformed;
    private LedgerResponse? _answer;
    private TransactionIdAhead? _transaction;

    private ClaimRequest(Guid claimId, Actor actor, IfMatch? condition, bool conditionMalformed, IdempotencyKey? key,
        Func<Claim, ClaimCommand> command)
    {
        ClaimId = claimId;
        Actor = actor;
        Condition = condition;
        _conditionMalformed = conditionMalformed;
        Key = key;
        Command = command;
    }

    public Guid ClaimId { get; }
    public Actor Actor { get; }
    public IfMatch? Condition { get; }
    public IdempotencyKey? Key { get; }

    /// <summary>The command for the rules, made from the claim as it stands under the lock.</summary>
    public Func<Claim, ClaimCommand> Command { get; }

    /// <summary>
    /// The body (415, 400 naming the field), the Idempotency-Key, If-Match, and the endpoint's checks
    /// (<paramref name="prepare"/>). A keyed repeat whose first response the checks' reads found is answered here.
    /// </summary>
    public static async Task<(ClaimRequest?, IResult)> ReadAsync<TBody>(HttpContext http, IDocumentSession session,
        Guid claimId, Func<TBody, ClaimReads, Task<Intent>> prepare) where TBody : class
    {
        var actor = Actor.From(http.User);
        session.LastModifiedBy = actor.Name;
        var (body, unreadable) = await RequestBody.ReadAsync<TBody>(http);
        if (body is null) return (null, unreadable!);
        var (key, badKey) = IdempotencyKey.From(http, actor, body);
        if (badKey != null) return (null, badKey);
        var wellFormed = IfMatch.TryRead(http.Request, out var condition);
        // A repeat answers as the first did, whatever its If-Match: with a key, a malformed one is refused only once no
        // first response is found (GuardAsync).
        if (!wellFormed && key is null) return (null, MalformedIfMatch());
        // Marten refuses an empty stream id outright; no claim ever has it.
        if (claimId == Guid.Empty) return (null, Problems.NotFound("claim", claimId));

        var reads = new ClaimReads(session, key, http.RequestAborted);
        var intent = await prepare(body, reads);
        if (reads.Replay is { } replay) return (null, replay);
        if (intent.Problem is { } problem) return (null, problem);
        return (new ClaimRequest(claimId, actor, condition, !wellFormed, key, intent.Command!), WolverineContinue.Result());
    }

    /// <summary>
    /// With an Idempotency-Key: begins the transaction, takes the key's lock and reads its first response in one round
    /// trip, so a repeat that raced the first answers as the first did. Without one, the claim's exclusive load is the
    /// transaction's first statement.
    /// </summary>
    public async Task<IResult> GuardAsync(IDocumentSession session, CancellationToken ct)
    {
        if (Key is null) return WolverineContinue.Result();
        await session.BeginTransactionAsync(ct);
        var reads = session.CreateBatchQuery();
        var first = Key.GuardAsync(reads);
        await reads.Execute(ct);
        if (Key.Replay(await first) is { } replay) return replay;
        return _conditionMalformed ? MalformedIfMatch() : WolverineContinue.Result();
    }

    /// <summary>The claim as locked: 404 when there is none, 412 when If-Match names another version.</summary>
    public ProblemDetails Check(Claim? claim)
    {
        if (claim is null) return Problems.Create(404, Problems.TitleFor(404), $"no claim has the id {ClaimId}", "id");
        if (Condition is not null && !Condition.Matches(claim.Version))
            return Problems.Create(412, Problems.TitleFor(412),
                $"the claim is at version {claim.Version}, which If-Match does not name: read it again and retry", "If-Match",
                new Dictionary<string, object?> { ["currentVersion"] = claim.Version });
        return WolverineContinue.NoProblems;
    }

    /// <summary>
    /// Under the claim's lock: the figure's lock (claim first, figure last, always), the rules' decision, and the answer,
    /// remembered with the events when the request has an Idempotency-Key.
    /// </summary>
    public async Task<(IResult, Events)> DecideAsync(Claim claim, IDocumentSession session, TimeProvider clock,
        CancellationToken ct, Func<Claim, Claim, LedgerResponse>? respond = null)
    {
        if (claim.FigureId is { } figureId) await FigureLock.AcquireAsync(session, figureId, ClaimId, ct);

        var decision = ClaimRules.Decide(claim, Command(claim), Actor);
        if (decision.Refusal is { } refusal) return (ClaimInput.ToProblem(refusal), new Events());

        var after = claim.Folding(decision.Events, Actor.Name, DateTimeOffset.UtcNow);
        var answer = respond?.Invoke(claim, after) ??
                     LedgerResponse.Of(200, new ClaimChanged(after.Version, after.Status), version: after.Version);
        Key?.Remember(session, answer, clock);
        _transaction = TransactionIdAhead.Queue(session);
        _answer = answer;
        return (answer, new Events(decision.Events));
    }

    /// <summary>
    /// The workflow's save, in its place: commits a write the rules accepted (a refusal has nothing to commit, and its
    /// transaction is rolled back with the session) without the request's cancellation, and resolves a commit whose answer
    /// was lost.
    /// </summary>
    public static Task CommitAsync(ClaimRequest request, IDocumentSession session, HttpContext http) =>
        request._answer is null
            ? Task.CompletedTask
            : LedgerWrite.CommitAsync(http, session, () => request._transaction?.Id);

    private static IResult MalformedIfMatch() =>
        Problems.Result(400, "If-Match must be * or a list of entity-tags, such as \"3\" (a claim's ETag)", "If-Match");
}

/// <summary>
/// The reads a claim write's checks make before any lock. With an Idempotency-Key, the first of them also looks for the
/// key's first response, so that a repeat is answered in a round trip its checks make anyway.
/// </summary>
public sealed class ClaimReads(IQuerySession session, IdempotencyKey? key, CancellationToken ct)
{
    private Task<IdempotentResponse?>? _first;

    public CancellationToken Cancellation => ct;

    /// <summary>A document by id; none once the key's first response is found, which answers the request whatever follows.</summary>
    public async Task<T?> LoadAsync<T>(Guid id) where T : class
    {
        if (Replay != null) return null;
        if (key is null || _first != null) return await session.LoadAsync<T>(id, ct);
        var batch = session.CreateBatchQuery();
        _first = batch.Load<IdempotentResponse>(key.Id);
        var loaded = batch.Load<T>(id);
        await batch.Execute(ct);
        return await loaded;
    }

    /// <summary>
    /// The key's first response (or its 422) as the reads found it. Read without the key's lock: a first response not
    /// yet stored is looked for again under it.
    /// </summary>
    public IResult? Replay => _first is { IsCompletedSuccessfully: true } first ? key!.Replay(first.Result) : null;
}
