using ClaimLedger.Access;
using ClaimLedger.Claims.Submitting;
using ClaimLedger.Sources;
using Marten;
using ClaimLedger.Web;
using ClaimLedger.Storage;

namespace ClaimLedger.Claims;

/// <summary>What a write to an existing claim answers: its new version and status.</summary>
public sealed record ClaimChanged(long Version, ClaimStatus Status);

/// <summary>
/// What a request on a claim comes to once its own checks have passed (before any lock): the command for the rules,
/// made from the claim as it stands under the lock — or a problem with the request itself.
/// </summary>
public sealed record Intent(Func<Claim, ClaimCommand>? Command, IResult? Problem)
{
    public static implicit operator Intent(ClaimCommand command) => new(_ => command, null);
    public static Intent Of(Func<Claim, ClaimCommand> command) => new(command, null);
    public static Intent Refuse(IResult problem) => new(null, problem);
}

/// <summary>
/// The frame of every write to an existing claim. The request is checked and its text processed first (a quote anchored
/// in a source's text may take a while, and no lock waits on it); then writers to one claim are serialised by an
/// exclusive lock on its stream, taken before the state is read, so a decision always sees the latest state and no
/// write overwrites another. <c>If-Match</c> turns a stale expectation into 412 instead of waiting its turn.
/// </summary>
public static class ClaimWrite
{
    public static Task<IResult> RunAsync<TRequest>(HttpContext http, IDocumentSession session, Guid claimId,
        Func<TRequest, Actor, Task<Intent>> prepare,
        Func<Claim, Claim, LedgerResponse>? respond = null) where TRequest : class =>
        LedgerWrite.RunAsync<TRequest>(http, session, async (request, actor, transaction) =>
        {
            var ct = http.RequestAborted;
            if (!IfMatch.TryRead(http.Request, out var condition))
                return Problems.Result(400, "If-Match must be * or a list of entity-tags, such as \"3\" (a claim's ETag)", "If-Match");

            // Marten refuses an empty stream id outright; no claim ever has it.
            if (claimId == Guid.Empty) return Problems.NotFound("claim", claimId);
            var intent = await prepare(request, actor);
            if (intent.Problem is { } problem) return problem;

            var fetch = transaction.Reads.Events.FetchForExclusiveWriting<Claim>(claimId);
            await transaction.OpenAsync(ct);
            var stream = await fetch;
            var claim = stream.Aggregate;
            if (claim is null) return Problems.NotFound("claim", claimId);
            if (condition is not null && !condition.Matches(claim.Version))
                return Problems.Result(412, $"the claim is at version {claim.Version}, which If-Match does not name: read it again and retry",
                    "If-Match", new Dictionary<string, object?> { ["currentVersion"] = claim.Version });

            // Writers to the claim's figure queue here, after the claim's own lock: claim first, figure last, always.
            if (claim.FigureId is { } figureId) await Figures.FigureLock.AcquireAsync(session, figureId, claimId, ct);

            var decision = ClaimRules.Decide(claim, intent.Command!(claim), actor);
            if (decision.Refusal is { } refusal) return ClaimInput.ToProblem(refusal);

            stream.AppendMany(decision.Events.ToArray());
            var after = claim.Folding(decision.Events, actor.Name, DateTimeOffset.UtcNow);
            return respond?.Invoke(claim, after) ??
                   LedgerResponse.Of(200, new ClaimChanged(after.Version, after.Status), version: after.Version);
        });

    /// <summary>
    /// The source a claim was taken from, read without the claim's lock: a claim never changes its source. Null when
    /// there is no such claim.
    /// </summary>
    public static async Task<Source?> SourceOfClaimAsync(IQuerySession session, Guid claimId, CancellationToken ct)
    {
        if (claimId == Guid.Empty || await session.LoadAsync<Claim>(claimId, ct) is not { } claim) return null;
        return await session.LoadAsync<Source>(claim.SourceId, ct);
    }

    /// <summary>An optional source with an optional quote anchored in its text; a quote needs its source.</summary>
    public static async Task<(Source? Source, Quotes.QuoteAnchor? Anchor, IResult? Problem)> SourceAndQuoteAsync(
        IQuerySession session, Guid? sourceId, string? quote, CancellationToken ct)
    {
        if (sourceId is null)
            return quote is null ? (null, null, null) : (null, null, Problems.Result(400, "a quote needs the sourceId it is taken from", "sourceId"));
        var source = await session.LoadAsync<Source>(sourceId.Value, ct);
        if (source is null) return (null, null, Problems.Result(422, $"no source has the id {sourceId}", "sourceId"));
        if (quote is null) return (source, null, null);
        var anchor = ClaimInput.Anchor(source, quote, "quote", out var notFound);
        return (source, anchor, notFound);
    }
}
