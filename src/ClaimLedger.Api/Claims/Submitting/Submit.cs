using ClaimLedger.Access;
using ClaimLedger.Figures;
using ClaimLedger.Hosting;
using ClaimLedger.Quotes;
using ClaimLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace ClaimLedger.Claims.Submitting;

public sealed record ClaimValueInput(decimal? Amount, Bound? Bound, decimal? Low, decimal? High);

public sealed record SubmitClaim(
    Guid? SourceId, string? Quote, string? AttributedTo, Guid? FigureId, ClaimValueInput? Value,
    DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo, Guid? Supersedes);

public sealed record ClaimWritten(Guid Id, long Version, ClaimStatus Status);

public static class SubmitClaimEndpoint
{
    public const int MaxQuoteLength = 10_000;

    [WolverinePost("/api/claims", Name = "SubmitClaim"), Authorize(Policy = Policies.Check)]
    [Tags("Claims")]
    [ProducesResponseType<ClaimWritten>(201)]
    public static Task<IResult> Post(SubmitClaim body, IDocumentSession session, HttpContext http) =>
        LedgerWrite.RunAsync(http, session, body, async _ =>
        {
            var ct = http.RequestAborted;
            var errors = new FieldErrors();
            var sourceId = errors.Required(body.SourceId, "sourceId");
            var quote = errors.Text(body.Quote, "quote", MaxQuoteLength);
            var attributedTo = errors.Text(body.AttributedTo, "attributedTo", 300);
            var value = ClaimInput.Value(body.Value, "value", errors);
            if (value != null && body.FigureId is null) errors.Add("figureId", "is required when a value is given: a value measures a figure");
            ClaimInput.Period(body.ValidFrom, body.ValidTo, errors);
            if (errors.Any) return errors.ToResult();

            var source = await session.LoadAsync<Source>(sourceId, ct);
            if (source is null) return Problems.Result(422, $"no source has the id {sourceId}", "sourceId");
            if (body.FigureId is { } figureId && await session.LoadAsync<Figure>(figureId, ct) is null)
                return Problems.Result(422, $"no figure has the id {figureId}", "figureId");
            var anchor = ClaimInput.Anchor(source, quote, "quote", out var notFound);
            if (notFound != null) return notFound;

            var claimId = Guid.CreateVersion7();
            var submitted = new ClaimSubmitted(claimId, sourceId, quote, anchor, attributedTo.Trim(), body.FigureId, value,
                body.ValidFrom, body.ValidTo, body.Supersedes);

            if (body.Supersedes is { } olderId)
            {
                // The older claim is locked like any other write to it, so two newer counts cannot both supersede it.
                var older = await session.Events.FetchForExclusiveWriting<Claim>(olderId, ct);
                if (older.Aggregate is null) return Problems.Result(422, $"no claim has the id {olderId}", "supersedes");
                var decision = ClaimRules.Decide(older.Aggregate, new SupersedeClaim(claimId, body.FigureId, submitted.AttributedTo), _);
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
        if (input.Low is { } low && input.High is { } high && low > high)
            errors.Add($"{field}.low", $"low ({low}) must not be greater than high ({high})");
        return new ClaimValue(input.Amount.Value, input.Bound.Value, input.Low, input.High);
    }

    public static void Period(DateTimeOffset? from, DateTimeOffset? to, FieldErrors errors)
    {
        if (from is { } f && to is { } t && f > t) errors.Add("validTo", "must not be before validFrom");
    }

    /// <summary>Anchors the quote in the source text; a source without text takes any quote, unanchored.</summary>
    public static QuoteAnchor? Anchor(Source source, string quote, string field, out IResult? notFound)
    {
        notFound = null;
        if (source.Text is null) return null;
        var anchor = QuoteAnchoring.Find(source.Text, quote);
        if (anchor is null)
            notFound = Problems.Result(422, $"the quote does not occur in the text of the source {source.Id} (compared after NFC normalisation and folding of white space, apostrophes and quotation marks)", field);
        return anchor;
    }

    public static IResult ToProblem(Refusal refusal) => Problems.Result(refusal.Status, refusal.Reason, refusal.Field);
}
