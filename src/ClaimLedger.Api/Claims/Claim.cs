using ClaimLedger.Quotes;
using JasperFx.Events;

namespace ClaimLedger.Claims;

public enum Bound { Exact, AtLeast, MoreThan, AtMost, LessThan, Approximately }

/// <summary>"au moins 242" → at_least 242; "une cinquantaine" → approximately 50; "plus de 14 000" → more_than 14000.</summary>
public sealed record ClaimValue(decimal Amount, Bound Bound, decimal? Low = null, decimal? High = null);

public enum ClaimStatus { Submitted, UnderReview, Verified, False, Misleading, Unverifiable, Disputed, Refuted, Retracted }

public enum Verdict { Verified, False, Misleading, Unverifiable }

public enum Stance { Supports, Contradicts }

public enum DisputeOutcome { Upheld, Rejected }

/// <summary>The part of a claim a correction may change.</summary>
public sealed record ClaimContent(
    string Quote, QuoteAnchor? Anchor, string AttributedTo, ClaimValue? Value, DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo);

// ---- Events: past-tense records. Actor and recorded time are the event's metadata (user name, timestamp). ----

/// <summary>A statement found in a source, attributed to its originator, was submitted to the ledger.</summary>
public sealed record ClaimSubmitted(
    Guid ClaimId, Guid SourceId, string Quote, QuoteAnchor? Anchor, string AttributedTo, Guid? FigureId,
    ClaimValue? Value, DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo, Guid? Supersedes);

/// <summary>A source was attached as evidence for or against the claim.</summary>
public sealed record EvidenceAttached(Guid EvidenceId, Guid SourceId, string? Quote, QuoteAnchor? Anchor, Stance Stance, string Note);

/// <summary>Someone disputed the claim.</summary>
public sealed record DisputeOpened(Guid DisputeId, string Reason, Guid? SourceId, string? Quote, QuoteAnchor? Anchor);

/// <summary>A reviewer decided a dispute.</summary>
public sealed record DisputeResolved(Guid DisputeId, DisputeOutcome Outcome, string Note);

/// <summary>A reviewer recorded a verdict; a later verdict replaces it, both stay in the history.</summary>
public sealed record VerdictRecorded(Verdict Verdict, string Note);

/// <summary>The claim's content was corrected; both the old and the new content are kept.</summary>
public sealed record ClaimCorrected(ClaimContent Previous, ClaimContent Corrected, string Reason);

/// <summary>The source withdrew the claim. Terminal.</summary>
public sealed record ClaimRetracted(string Reason);

/// <summary>A newer claim of the same originator on the same figure replaced this one; its status stays.</summary>
public sealed record ClaimSuperseded(Guid SupersededBy);

public sealed record Dispute(Guid Id, string Reason, Guid? SourceId, string? Quote, QuoteAnchor? Anchor, string OpenedBy,
    DateTimeOffset OpenedAt, DisputeOutcome? Outcome = null, string? ResolvedBy = null, string? Note = null, DateTimeOffset? ResolvedAt = null);

public sealed record Evidence(Guid Id, Guid SourceId, string? Quote, QuoteAnchor? Anchor, Stance Stance, string Note,
    string AttachedBy, DateTimeOffset AttachedAt);

public sealed record VerdictEntry(Verdict Verdict, string Note, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>
/// A claim as the ledger knows it: the state the decisions read, and the document the claim routes answer with.
/// Immutable: each event makes a new state, so nothing applies twice whatever Marten's identity map does.
/// </summary>
public sealed record Claim
{
    public Guid Id { get; init; }
    public long Version { get; set; }
    public ClaimStatus Status { get; init; }
    public Guid SourceId { get; init; }
    public string Quote { get; init; } = "";
    public QuoteAnchor? Anchor { get; init; }
    public string AttributedTo { get; init; } = "";
    public Guid? FigureId { get; init; }
    public ClaimValue? Value { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public Guid? Supersedes { get; init; }
    public Guid? SupersededBy { get; init; }
    public string SubmittedBy { get; init; } = "";
    public DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
    public VerdictEntry? Verdict { get; init; }
    /// <summary>The status to restore when an open dispute is rejected.</summary>
    public ClaimStatus? StatusBeforeDispute { get; init; }
    public IReadOnlyList<Dispute> Disputes { get; init; } = [];
    /// <summary>The most recent evidence (at most <see cref="RecentEvidence"/>, oldest first); all of it is in the claim's events.</summary>
    public IReadOnlyList<Evidence> Evidence { get; init; } = [];
    public int EvidenceCount { get; init; }

    /// <summary>Keeps the claim document (and its snapshots) small however much evidence a claim collects.</summary>
    public const int RecentEvidence = 50;

    public Dispute? OpenDispute => Disputes.FirstOrDefault(d => d.Outcome is null);

    /// <summary>Not retracted, false or refuted, and not superseded: it counts in the figure's current picture.</summary>
    public bool Standing => Status is not (ClaimStatus.Retracted or ClaimStatus.False or ClaimStatus.Refuted) && SupersededBy is null;

    [System.Text.Json.Serialization.JsonIgnore]
    public ClaimContent Content => new(Quote, Anchor, AttributedTo, Value, ValidFrom, ValidTo);

    public static Claim Create(IEvent<ClaimSubmitted> e) => new()
    {
        Id = e.Data.ClaimId, Status = ClaimStatus.Submitted, SourceId = e.Data.SourceId, Quote = e.Data.Quote,
        Anchor = e.Data.Anchor, AttributedTo = e.Data.AttributedTo, FigureId = e.Data.FigureId, Value = e.Data.Value,
        ValidFrom = e.Data.ValidFrom, ValidTo = e.Data.ValidTo, Supersedes = e.Data.Supersedes,
        SubmittedBy = e.UserName ?? "", SubmittedAt = e.Timestamp, LastChangedAt = e.Timestamp,
    };

    public Claim Apply(IEvent<EvidenceAttached> e) => this with
    {
        Status = Status == ClaimStatus.Submitted ? ClaimStatus.UnderReview : Status,
        Evidence = [.. Evidence.Skip(Math.Max(0, Evidence.Count - RecentEvidence + 1)),
            new Evidence(e.Data.EvidenceId, e.Data.SourceId, e.Data.Quote, e.Data.Anchor, e.Data.Stance, e.Data.Note, e.UserName ?? "", e.Timestamp)],
        EvidenceCount = EvidenceCount + 1,
        LastChangedAt = e.Timestamp,
    };

    public Claim Apply(IEvent<DisputeOpened> e) => this with
    {
        StatusBeforeDispute = Status,
        Status = ClaimStatus.Disputed,
        Disputes = [.. Disputes, new Dispute(e.Data.DisputeId, e.Data.Reason, e.Data.SourceId, e.Data.Quote, e.Data.Anchor, e.UserName ?? "", e.Timestamp)],
        LastChangedAt = e.Timestamp,
    };

    public Claim Apply(IEvent<DisputeResolved> e) => this with
    {
        Status = e.Data.Outcome == DisputeOutcome.Upheld ? ClaimStatus.Refuted : StatusBeforeDispute ?? ClaimStatus.Submitted,
        StatusBeforeDispute = null,
        Disputes = Disputes.Select(d => d.Id == e.Data.DisputeId
            ? d with { Outcome = e.Data.Outcome, Note = e.Data.Note, ResolvedBy = e.UserName ?? "", ResolvedAt = e.Timestamp }
            : d).ToList(),
        LastChangedAt = e.Timestamp,
    };

    public Claim Apply(IEvent<VerdictRecorded> e) => this with
    {
        Status = ClaimRules.StatusOf(e.Data.Verdict),
        Verdict = new VerdictEntry(e.Data.Verdict, e.Data.Note, e.UserName ?? "", e.Timestamp),
        LastChangedAt = e.Timestamp,
    };

    public Claim Apply(IEvent<ClaimCorrected> e) => this with
    {
        Quote = e.Data.Corrected.Quote, Anchor = e.Data.Corrected.Anchor, AttributedTo = e.Data.Corrected.AttributedTo,
        Value = e.Data.Corrected.Value, ValidFrom = e.Data.Corrected.ValidFrom, ValidTo = e.Data.Corrected.ValidTo,
        LastChangedAt = e.Timestamp,
    };

    public Claim Apply(IEvent<ClaimRetracted> e) => this with { Status = ClaimStatus.Retracted, LastChangedAt = e.Timestamp };

    public Claim Apply(IEvent<ClaimSuperseded> e) => this with { SupersededBy = e.Data.SupersededBy, LastChangedAt = e.Timestamp };

    /// <summary>
    /// The state after events that are decided but not yet stored (to answer a write with its new status), folded
    /// exactly as the projection will fold them.
    /// </summary>
    public Claim Folding(IEnumerable<object> events, string actor, DateTimeOffset at)
    {
        var state = this;
        foreach (var data in events)
        {
            state = data switch
            {
                EvidenceAttached e => state.Apply(Wrap(e)),
                DisputeOpened e => state.Apply(Wrap(e)),
                DisputeResolved e => state.Apply(Wrap(e)),
                VerdictRecorded e => state.Apply(Wrap(e)),
                ClaimCorrected e => state.Apply(Wrap(e)),
                ClaimRetracted e => state.Apply(Wrap(e)),
                ClaimSuperseded e => state.Apply(Wrap(e)),
                _ => throw new ArgumentOutOfRangeException(nameof(events), data.GetType().Name),
            };
            state = state with { Version = state.Version + 1 };
        }
        return state;

        IEvent<T> Wrap<T>(T data) where T : notnull => new Event<T>(data) { UserName = actor, Timestamp = at };
    }
}

