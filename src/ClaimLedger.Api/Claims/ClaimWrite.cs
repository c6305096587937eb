using ClaimLedger.Access;
using ClaimLedger.Claims.Submitting;
using ClaimLedger.Hosting;
using ClaimLedger.Sources;
using Marten;

namespace ClaimLedger.Claims;

/// <summary>What a write to an existing claim answers: its new version and status.</summary>
public sealed record ClaimChanged(long Version, ClaimStatus Status);

/// <summary>What a request on a claim comes to: a command for the rules, or a problem with the request itself.</summary>
public sealed record Intent(ClaimCommand? Command, IResult? Problem)
{
    public static Intent Of(ClaimCommand command) => new(command, null);
    public static implicit operator Intent(ClaimCommand command) => new(command, null);
    public static Intent Refuse(IResult problem) => new(null, problem);
}

/// <summary>
/// The frame of every write to an existing claim. Writers to one claim are serialised by an exclusive lock on its
/// stream (taken before the state is read), so a decision always sees the latest state and no write overwrites
/// another; <c>If-Match</c> turns a stale expectation into 412 instead of waiting its turn.
/// </summary>
public static class ClaimWrite
{
    public static Task<IResult> RunAsync<TRequest>(HttpContext http, IDocumentSession session, Guid claimId,
        Func<TRequest, Claim, Actor, Task<Intent>> interpret,
        Func<Claim, Claim, LedgerResponse>? respond = null) where TRequest : class =>
        LedgerWrite.RunAsync<TRequest>(http, session, async (request, actor, transaction) =>
        {
            var ct = http.RequestAborted;
            if (!ETags.TryReadIfMatch(http.Request, out var expected))
                return Problems.Result(400, "If-Match must be a claim version in quotes, such as \"3\"", "If-Match");

            // Marten refuses an empty stream id outright; no claim ever has it.
            if (claimId == Guid.Empty) return Problems.NotFound("claim", claimId);
            var fetch = transaction.Reads.Events.FetchForExclusiveWriting<Claim>(claimId);
            await transaction.OpenAsync(ct);
            var stream = await fetch;
            var claim = stream.Aggregate;
            if (claim is null) return Problems.NotFound("claim", claimId);
            if (expected is { } v && v != claim.Version)
                return Problems.Result(412, $"the claim is at version {claim.Version}, not {v}: read it again and retry",
                    "If-Match", new Dictionary<string, object?> { ["currentVersion"] = claim.Version });

            // Writers to the claim's figure queue here, after the claim's own lock: claim first, figure last, always.
            if (claim.FigureId is { } figureId) await Figures.FigureLock.AcquireAsync(session, figureId, claimId, ct);

            var intent = await interpret(request, claim, actor);
            if (intent.Problem is { } problem) return problem;
            var decision = ClaimRules.Decide(claim, intent.Command!, actor);
            if (decision.Refusal is { } refusal) return ClaimInput.ToProblem(refusal);

            stream.AppendMany(decision.Events.ToArray());
            var after = claim.Folding(decision.Events, actor.Name, DateTimeOffset.UtcNow);
            return respond?.Invoke(claim, after) ??
                   LedgerResponse.Of(200, new ClaimChanged(after.Version, after.Status), version: after.Version);
        });

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
