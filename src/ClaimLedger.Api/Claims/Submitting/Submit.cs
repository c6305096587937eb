using System.ComponentModel.DataAnnotations;
using ClaimLedger.Access;
using ClaimLedger.Figures;
using ClaimLedger.Hosting;
using ClaimLedger.Quotes;
using ClaimLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

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

public static class SubmitClaimEndpoint
{
    public const int MaxQuoteLength = 10_000;

    [EndpointSummary("Submit a claim")]
    [WolverinePost("/api/claims", Name = "SubmitClaim"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [JsonBody(typeof(SubmitClaim))]
    [ProducesResponseType<ClaimWritten>(201)]
    public static Task<IResult> Post(IDocumentSession session, HttpContext http) =>
        LedgerWrite.RunAsync<SubmitClaim>(http, session, async (body, actor, transaction) =>
        {
            var ct = http.RequestAborted;
            var errors = new FieldErrors();
            var sourceId = errors.Required(body.SourceId, "sourceId");
            var quote = errors.Text(body.Quote, "quote", MaxQuoteLength);
            var attributedTo = errors.Text(body.AttributedTo, "attributedTo", 300);
            var value = ClaimInput.Value(body.Value, "value", errors);
            if (value != null && body.FigureId is null) errors.Add("figureId", "is required when a value is given: a value measures a figure");
            if (errors.Any) return errors.ToResult();
            if (ClaimInput.Inconsistent(value, body.ValidFrom, body.ValidTo) is { } inconsistent) return inconsistent;
            if (body.Supersedes == Guid.Empty) return Problems.Result(422, $"no claim has the id {Guid.Empty}", "supersedes");

            // One round trip for the references and the locks: the transaction id, the source, the figure, then either
            // the older claim this one supersedes (locked like any other write to it, so two newer counts cannot both
            // supersede it; its figure is locked next) or the figure itself.
            var reads = transaction.Reads;
            var sourceLookup = reads.Load<Source>(sourceId);
            var figureLookup = body.FigureId is { } wanted ? reads.Load<Figure>(wanted) : Task.FromResult<Figure?>(null);
            var olderLookup = body.Supersedes is { } supersedes ? reads.Events.FetchForExclusiveWriting<Claim>(supersedes) : null;
            if (body.FigureId is { } figureToLock && olderLookup is null) Figures.FigureLock.Acquire(reads, session, figureToLock);
            await transaction.OpenAsync(ct);

            var source = await sourceLookup;
            if (source is null) return Problems.Result(422, $"no source has the id {sourceId}", "sourceId");
            if (body.FigureId is { } figureId && await figureLookup is null)
                return Problems.Result(422, $"no figure has the id {figureId}", "figureId");
            var anchor = ClaimInput.Anchor(source, quote, "quote", out var notFound);
            if (notFound != null) return notFound;

            var claimId = Guid.CreateVersion7();
            var submitted = new ClaimSubmitted(claimId, sourceId, quote, anchor, attributedTo.Trim(), body.FigureId, value,
                body.ValidFrom, body.ValidTo, body.Supersedes);

            if (olderLookup != null)
            {
                var older = await olderLookup;
                if (older.Aggregate is null) return Problems.Result(422, $"no claim has the id {body.Supersedes}", "supersedes");
                if (older.Aggregate.FigureId is { } olderFigure) await Figures.FigureLock.AcquireAsync(session, olderFigure, older.Id, ct);
                var decision = ClaimRules.Decide(older.Aggregate, new SupersedeClaim(claimId, body.FigureId, submitted.AttributedTo), actor);
                if (decision.Refusal is { } refusal) return ClaimInput.ToProblem(refusal with { Field = refusal.Field ?? "supersedes" });
                older.AppendMany(decision.Events.ToArray());
            }

            session.Events.StartStream<Claim>(claimId, submitted);
            return LedgerResponse.Of(201, new ClaimWritten(claimId, 1, ClaimStatus.Submitted), $"/api/claims/{claimId}", version: 1);
        });
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
