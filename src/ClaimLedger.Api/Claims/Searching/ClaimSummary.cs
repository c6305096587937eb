using ClaimLedger.Figures;
using JasperFx.Events;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace ClaimLedger.Claims.Searching;

/// <summary>Why a claim waits for a reviewer.</summary>
public enum PendingReason { DisputeOpen, AwaitingVerdict }

/// <summary>
/// What a reviewer may decide on a claim, and who may not (four eyes): the one who opened the dispute, or the one who
/// submitted the claim awaiting its verdict.
/// </summary>
public sealed record PendingDecision(PendingReason Reason, DateTimeOffset Since, string NotBy, Guid? DisputeId = null);

/// <summary>
/// A claim as lists and searches show it, kept inline beside the claim document (a write's own transaction updates it) so
/// that a list is small rows read through an index: the claim document carries its evidence and disputes, and its rows
/// are the decisions' state. Three indexes serve every list: the order (last change, id), the terms of
/// <see cref="SearchText"/> (GIN), and the review queue (partial: pending claims only).
/// </summary>
public sealed record ClaimSummary
{
    public Guid Id { get; init; }
    public long Version { get; set; }
    public ClaimStatus Status { get; init; }
    public string AttributedTo { get; init; } = "";
    public Guid? FigureId { get; init; }
    public Guid SourceId { get; init; }
    public ClaimValue? Value { get; init; }
    public string Quote { get; init; } = "";
    public string SubmittedBy { get; init; } = "";
    /// <summary>In whole microseconds, as PostgreSQL keeps it: a cursor made from it names exactly the stored value.</summary>
    public DateTimeOffset LastChangedAt { get; init; }
    public Guid? SupersededBy { get; init; }
    /// <summary>The status an open dispute restores if it is rejected.</summary>
    public ClaimStatus? StatusBeforeDispute { get; init; }
    public PendingDecision? Pending { get; init; }
    /// <summary>The review queue's order (a column of its own, null when nothing is pending).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset? PendingSince => Pending?.Since;

    /// <summary>
    /// What searches and filters match: the folded words of the quote and the originator, then a term for each filter
    /// (<see cref="SearchText.Filter"/>). Stored in a column of its own, indexed as <see cref="SearchText.Vector"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SearchTerms => SearchText.Join(SearchText.Words(Quote).Concat(SearchText.Words(AttributedTo)).Distinct().Concat(Filters()));

    public IEnumerable<string> Filters()
    {
        yield return StatusFilter(Status);
        yield return SourceFilter(SourceId);
        if (FigureId is { } figure) yield return FigureFilter(figure);
        yield return OriginatorFilter(AttributedTo);
        yield return SubmitterFilter(SubmittedBy);
    }

    public static string StatusFilter(ClaimStatus status) => SearchText.Filter("s", status.ToString());
    public static string SourceFilter(Guid source) => SearchText.Filter("src", source.ToString("N"));
    public static string FigureFilter(Guid figure) => SearchText.Filter("fig", figure.ToString("N"));
    /// <summary>Originators are matched as a figure's picture matches them: ignoring case and surrounding spaces.</summary>
    public static string OriginatorFilter(string attributedTo) => SearchText.Filter("from", FigureClaim.KeyOf(attributedTo));
    public static string SubmitterFilter(string user) => SearchText.Filter("by", user);

    public const string Table = "claimledger.mt_doc_claimsummary";

    /// <summary>Marten calls this when it maps the document: the columns and indexes the lists read.</summary>
    public static void ConfigureMarten(DocumentMapping mapping)
    {
        mapping.DuplicateField(Member(nameof(LastChangedAt)), "timestamptz", "last_changed_at", notNull: true);
        mapping.DuplicateField(Member(nameof(PendingSince)), "timestamptz", "pending_since");
        mapping.DuplicateField(Member(nameof(SearchTerms)), "text", "search_terms");
        mapping.Indexes.Add(new IndexDefinition("claim_summary_by_change") { Columns = ["last_changed_at", "id"] });
        mapping.Indexes.Add(new IndexDefinition("claim_summary_terms") { Columns = [SearchText.Vector("search_terms")], Method = IndexMethod.gin });
        mapping.Indexes.Add(new IndexDefinition("claim_summary_pending")
            { Columns = ["pending_since", "id"], Predicate = "pending_since is not null" });

        static System.Reflection.MemberInfo[] Member(string name) => [typeof(ClaimSummary).GetProperty(name)!];
    }

    // ---- The fold: the same transitions as Claim's (ClaimSummaryTests holds them together). ----

    public static ClaimSummary Create(IEvent<ClaimSubmitted> e) => new ClaimSummary
    {
        Id = e.Data.ClaimId, Status = ClaimStatus.Submitted, AttributedTo = e.Data.AttributedTo, FigureId = e.Data.FigureId,
        SourceId = e.Data.SourceId, Value = e.Data.Value, Quote = e.Data.Quote, SubmittedBy = e.UserName ?? "",
    }.Changed(e);

    public ClaimSummary Apply(IEvent<EvidenceAttached> e) =>
        (this with { Status = Status == ClaimStatus.Submitted ? ClaimStatus.UnderReview : Status }).Changed(e);

    public ClaimSummary Apply(IEvent<DisputeOpened> e) =>
        (this with
        {
            StatusBeforeDispute = Status, Status = ClaimStatus.Disputed,
            Pending = new PendingDecision(PendingReason.DisputeOpen, Micros(e.Timestamp), e.UserName ?? "", e.Data.DisputeId),
        }).Changed(e);

    public ClaimSummary Apply(IEvent<DisputeResolved> e) =>
        (this with
        {
            Status = e.Data.Outcome == DisputeOutcome.Upheld ? ClaimStatus.Refuted : StatusBeforeDispute ?? ClaimStatus.Submitted,
            StatusBeforeDispute = null, Pending = null,
        }).Changed(e);

    public ClaimSummary Apply(IEvent<VerdictRecorded> e) => (this with { Status = ClaimRules.StatusOf(e.Data.Verdict) }).Changed(e);

    public ClaimSummary Apply(IEvent<ClaimCorrected> e) =>
        (this with { Quote = e.Data.Corrected.Quote, AttributedTo = e.Data.Corrected.AttributedTo, Value = e.Data.Corrected.Value }).Changed(e);

    public ClaimSummary Apply(IEvent<ClaimRetracted> e) => (this with { Status = ClaimStatus.Retracted }).Changed(e);

    public ClaimSummary Apply(IEvent<ClaimSuperseded> e) => (this with { SupersededBy = e.Data.SupersededBy }).Changed(e);

    /// <summary>
    /// After an event: its time is the last change; a disputed claim waits for its dispute to be resolved; a claim with
    /// no verdict and no dispute (submitted or under review) awaits a verdict from anyone but its submitter, since the
    /// moment it came to wait (submitted, or a rejected dispute); any other waits for nothing.
    /// </summary>
    private ClaimSummary Changed(IEvent e)
    {
        var at = Micros(e.Timestamp);
        return this with
        {
            LastChangedAt = at,
            Pending = Status switch
            {
                ClaimStatus.Disputed => Pending,
                ClaimStatus.Submitted or ClaimStatus.UnderReview => Pending is { Reason: PendingReason.AwaitingVerdict } waiting ? waiting
                    : new PendingDecision(PendingReason.AwaitingVerdict, at, SubmittedBy),
                _ => null,
            },
        };
    }

    /// <summary>PostgreSQL keeps microseconds; .NET's clock has tenths of them.</summary>
    public static DateTimeOffset Micros(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);
}
