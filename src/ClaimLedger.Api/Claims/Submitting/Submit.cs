using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using ClaimLedger.Figures;
using ClaimLedger.Quotes;
using ClaimLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using ClaimLedger.Web;
using ClaimLedger.Storage;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.Claims.Submitting;

public sealed record ClaimValueInput
{
    [Required] public decimal? Amount { get; init; }
    [Required] public Bound? Bound { get; init; }
    public decimal? Low { get; init; }
    public decimal? High { get; init; }
}

public sealed record SubmitClaim
{
    [Required] public Guid? SourceId { get; init; }
    /// <summary>Verbatim; must occur in the source's text (after NFC and folding of spaces, apostrophes, quotation marks).</summary>
    [Required] public string? Quote { get; init; }
    /// <summary>The originator: who said it (OSDH, the UN…), not who reported it.</summary>
    [Required] public string? AttributedTo { get; init; }
    public Guid? FigureId { get; init; }
    public ClaimValueInput? Value { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    /// <summary>An older claim of the same originator on the same figure that this newer count replaces.</summary>
    public Guid? Supersedes { get; init; }
}

public sealed record ClaimWritten(Guid Id, long Version, ClaimStatus Status);

/// <summary>A submission whose fields are well-formed; what it refers to is checked in the write's transaction.</summary>
public sealed record Submission(Guid SourceId, string Quote, string AttributedTo, Guid? FigureId, ClaimValue? Value,
    DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo, Guid? Supersedes)
{
    /// <summary>The fields' checks (400 naming every bad field, 422 for what cannot be), before any database work.</summary>
    public static IResult? Check(SubmitClaim body, out Submission submission)
    {
        submission = null!;
        var errors = new FieldErrors();
        var sourceId = errors.Required(body.SourceId, "sourceId");
        var quote = errors.Text(body.Quote, "quote", SubmitClaimEndpoint.MaxQuoteLength);
        var attributedTo = errors.Text(body.AttributedTo, "attributedTo", 300);
        var value = ClaimInput.Value(body.Value, "value", errors);
        if (value != null && body.FigureId is null) errors.Add("figureId", "is required when a value is given: a value measures a figure");
        if (errors.Any) return errors.ToResult();
        if (ClaimInput.Inconsistent(value, body.ValidFrom, body.ValidTo) is { } inconsistent) return inconsistent;
        if (body.Supersedes == Guid.Empty) return Problems.Result(422, $"no claim has the id {Guid.Empty}", "supersedes");
        submission = new Submission(sourceId, quote, attributedTo.Trim(), body.FigureId, value, body.ValidFrom, body.ValidTo, body.Supersedes);
        return null;
    }

    /// <summary>
    /// Its source, and its quote anchored in the source's text: checked before the write's transaction and its locks (a
    /// source never changes, and anchoring a quote in a long text takes time no writer of the figure should wait on).
    /// </summary>
    public async Task<(QuoteAnchor? Anchor, IResult? Refusal)> AnchorAsync(KnownReferences references, IQuerySession session, CancellationToken ct)
    {
        if (await references.SourceAsync(session, SourceId, ct) is not { } source)
            return (null, Problems.Result(422, $"no source has the id {SourceId}", "sourceId"));
        var anchor = ClaimInput.Anchor(source, Quote, "quote", out var notFound);
        return (anchor, notFound);
    }

    /// <summary>The check of the figure it measures, read in the write's transaction.</summary>
    public IResult? Refusal(bool figureFound) =>
        FigureId is { } figureId && !figureFound ? Problems.Result(422, $"no figure has the id {figureId}", "figureId") : null;

    public ClaimSubmitted Submitted(Guid claimId, QuoteAnchor? anchor) =>
        new(claimId, SourceId, Quote, anchor, AttributedTo, FigureId, Value, ValidFrom, ValidTo, Supersedes);

    public static LedgerResponse Written(Guid claimId) =>
        LedgerResponse.Of(201, new ClaimWritten(claimId, 1, ClaimStatus.Submitted), $"/api/claims/{claimId}", version: 1);
}

public static class SubmitClaimEndpoint
{
    public const int MaxQuoteLength = 10_000;

    [EndpointSummary("Submit a claim")]
    [WolverinePost("/api/claims", Name = "SubmitClaim"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(SubmitClaim))]
    [ProducesResponseType<ClaimWritten>(201)]
    public static Task<IResult> Post(IDocumentSession session, HttpContext http, SubmissionGroups groups, KnownReferences references) =>
        LedgerWrite.RunAsync<SubmitClaim>(http, session, async (body, actor, transaction) =>
        {
            var ct = http.RequestAborted;
            if (Submission.Check(body, out var submission) is { } invalid) return invalid;

            var (anchor, unanchored) = await submission.AnchorAsync(references, session, ct);
            if (unanchored != null) return unanchored;

            // One round trip for the figure and the locks: the transaction id, the figure, then either the older claim
            // this one supersedes (locked like any other write to it, so two newer counts cannot both supersede it; its
            // figure is locked next) or the figure itself.
            var reads = transaction.Reads;
            var figureLookup = submission.FigureId is { } wanted ? references.FigureExistsAsync(reads, wanted) : Task.FromResult(true);
            var olderLookup = submission.Supersedes is { } supersedes ? reads.Events.FetchForExclusiveWriting<Claim>(supersedes) : null;
            if (submission.FigureId is { } figureToLock && olderLookup is null) Figures.FigureLock.Acquire(reads, session, figureToLock);
            await transaction.OpenAsync(ct);

            if (submission.Refusal(await figureLookup) is { } refusal) return refusal;
            var claimId = Guid.CreateVersion7();
            var submitted = submission.Submitted(claimId, anchor);

            if (olderLookup != null)
            {
                var older = await olderLookup;
                if (older.Aggregate is null) return Problems.Result(422, $"no claim has the id {submission.Supersedes}", "supersedes");
                if (older.Aggregate.FigureId is { } olderFigure) await Figures.FigureLock.AcquireAsync(session, olderFigure, older.Id, ct);
                var decision = ClaimRules.Decide(older.Aggregate, new SupersedeClaim(claimId, submission.FigureId, submitted.AttributedTo), actor);
                if (decision.Refusal is { } refused) return ClaimInput.ToProblem(refused with { Field = refused.Field ?? "supersedes" });
                older.AppendMany(decision.Events.ToArray());
            }

            session.Events.StartStream<Claim>(claimId, submitted);
            return Submission.Written(claimId);
        }, together: (body, actor) => groups.WriteAsync(body, actor, session, http.RequestAborted));
}

/// <summary>Checks shared by the claim routes: values, validity periods, quotes anchored in their source.</summary>
public static class ClaimInput
{
    public static ClaimValue? Value(ClaimValueInput? input, string field, FieldErrors errors)
    {
        if (input is null) return null;
        if (input.Amount is null) errors.Add($"{field}.amount", "is required");
        if (input.Bound is null) errors.Add($"{field}.bound", "is required: one of exact, at_least, more_than, at_most, less_than, approximately");
        if (input.Amount is null || input.Bound is null) return null;
        return new ClaimValue(input.Amount.Value, input.Bound.Value, input.Low, input.High);
    }

    /// <summary>What is well-formed but cannot be: a range upside down, a period that ends before it starts (422).</summary>
    public static IResult? Inconsistent(ClaimValue? value, DateTimeOffset? from, DateTimeOffset? to, string valueField = "value")
    {
        if (value is { Low: { } low, High: { } high } && low > high)
            return Problems.Result(422, $"low ({low}) must not be greater than high ({high})", $"{valueField}.low");
        if (from is { } f && to is { } t && f > t)
            return Problems.Result(422, "validTo must not be before validFrom", "validTo");
        return null;
    }

    /// <summary>Anchors the quote in the source text; a source without text takes any quote, unanchored.</summary>
    public static QuoteAnchor? Anchor(Source source, string quote, string field, out IResult? notFound)
    {
        notFound = null;
        if (source.Text is null) return null;
        var anchor = QuoteAnchoring.Find(source.Text, quote, source.Id);
        if (anchor is null)
            notFound = Problems.Result(422, $"the quote does not occur in the text of the source {source.Id} (compared after NFC normalisation and folding of white space, apostrophes and quotation marks)", field);
        return anchor;
    }

    public static IResult ToProblem(Refusal refusal) => Problems.Result(refusal.Status, refusal.Reason, refusal.Field);
}
