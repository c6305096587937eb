using ClaimLedger.Claims.Submitting;
using ClaimLedger.Sources;
using ClaimLedger.Web;

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

/// <summary>The reads claim writes share, made by their checks before any lock (<see cref="ClaimRequest"/>).</summary>
public static class ClaimWrite
{
    /// <summary>
    /// The source a claim was taken from, read without the claim's lock: a claim never changes its source. Null when
    /// there is no such claim.
    /// </summary>
    public static async Task<Source?> SourceOfClaimAsync(ClaimReads reads, Guid claimId)
    {
        if (claimId == Guid.Empty || await reads.LoadAsync<Claim>(claimId) is not { } claim) return null;
        return await reads.LoadAsync<Source>(claim.SourceId);
    }

    /// <summary>An optional source with an optional quote anchored in its text; a quote needs its source.</summary>
    public static async Task<(Source? Source, Quotes.QuoteAnchor? Anchor, IResult? Problem)> SourceAndQuoteAsync(
        ClaimReads reads, Guid? sourceId, string? quote)
    {
        if (sourceId is null)
            return quote is null ? (null, null, null) : (null, null, Problems.Result(400, "a quote needs the sourceId it is taken from", "sourceId"));
        var source = await reads.LoadAsync<Source>(sourceId.Value);
        if (source is null) return (null, null, Problems.Result(422, $"no source has the id {sourceId}", "sourceId"));
        if (quote is null) return (source, null, null);
        var anchor = ClaimInput.Anchor(source, quote, "quote", out var notFound);
        return (source, anchor, notFound);
    }
}
