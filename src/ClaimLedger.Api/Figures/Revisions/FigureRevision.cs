using ClaimLedger.Claims;
using ClaimLedger.Figures.Picture;

namespace ClaimLedger.Figures;

public enum RevisionChange { ClaimAdded, ValueCorrected, EvidenceAttached, Disputed, DisputeResolved, Verdict, Retracted, Superseded }

/// <summary>One change to one claim on a figure, numbered densely per figure in the order the ledger recorded them.</summary>
public sealed record FigureRevision
{
    public string Id { get; init; } = "";
    public Guid FigureId { get; init; }
    public long Revision { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public string Actor { get; init; } = "";
    public Guid ClaimId { get; init; }
    public string AttributedTo { get; init; } = "";
    public RevisionChange Change { get; init; }
    public ClaimValue? PreviousValue { get; init; }
    public ClaimValue? Value { get; init; }
    public ClaimStatus Status { get; init; }
    public Guid SourceId { get; init; }
    public string? Reason { get; init; }
    /// <summary>The originator whose entry in the picture this revision changed (null: no entry changed).</summary>
    public string? EntryKey { get; init; }
    /// <summary>That originator's entry after this revision (null: it has no standing claim left).</summary>
    public FigureEntry? Entry { get; init; }

    /// <summary>
    /// The figure's id, then its revision number zero-padded: the primary key orders each figure's revisions by number,
    /// which is what pages and catch-up read (an index of its own on figure and number would cost every write).
    /// </summary>
    public static string IdFor(Guid figureId, long revision) => $"{figureId:N}/{revision:D12}";

    private const long LastNumber = 999_999_999_999;

    /// <summary>The figure's revisions after <paramref name="after"/>, oldest first: one range scan of the primary key.</summary>
    public static Task<IReadOnlyList<FigureRevision>> PageAsync(Marten.IQuerySession session, Guid figureId, long after, int take,
        CancellationToken ct) =>
        session.QueryAsync<FigureRevision>("where id > ? and id <= ? order by id limit ?", ct,
            IdFor(figureId, after), IdFor(figureId, LastNumber), take);
}

/// <summary>What the figure projection knows of one claim on a figure: enough to keep the picture.</summary>
public record FigureClaim
{
    public Guid Id { get; init; }
    public Guid FigureId { get; init; }
    public string AttributedTo { get; init; } = "";
    public string OriginatorKey { get; init; } = "";
    public ClaimValue? Value { get; init; }
    public ClaimStatus Status { get; init; }
    public Guid? SupersededBy { get; init; }
    public Guid SourceId { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public ClaimStatus? StatusBeforeDispute { get; init; }
    public long SubmittedRevision { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
    public bool Standing { get; init; }

    /// <summary>The claim state this stands for, so that changes fold through the claim's own Apply methods.</summary>
    public Claim ToClaim() => new()
    {
        Id = Id, FigureId = FigureId, AttributedTo = AttributedTo, Value = Value, Status = Status, SupersededBy = SupersededBy,
        SourceId = SourceId, ValidFrom = ValidFrom, ValidTo = ValidTo, StatusBeforeDispute = StatusBeforeDispute, LastChangedAt = LastChangedAt,
    };

    public static FigureClaim From(Claim claim, long submittedRevision) => new()
    {
        Id = claim.Id, FigureId = claim.FigureId ?? Guid.Empty, AttributedTo = claim.AttributedTo, OriginatorKey = KeyOf(claim.AttributedTo),
        Value = claim.Value, Status = claim.Status, SupersededBy = claim.SupersededBy, SourceId = claim.SourceId,
        ValidFrom = claim.ValidFrom, ValidTo = claim.ValidTo, StatusBeforeDispute = claim.StatusBeforeDispute,
        SubmittedRevision = submittedRevision, LastChangedAt = claim.LastChangedAt, Standing = claim.Standing,
    };

    /// <summary>Originators are the same when their names match ignoring case and surrounding spaces.</summary>
    public static string KeyOf(string attributedTo) => attributedTo.Trim().ToLowerInvariant();

    public FigureEntry ToEntry() => new(AttributedTo, Value, Id, SourceId, Status, ValidFrom, ValidTo, LastChangedAt);
}

/// <summary>
/// How one revision changed a second originator's entry in the picture (null: the originator has no standing claim):
/// only a correction that moves a claim from one originator to another changes two entries, and the revision itself
/// carries the first (<see cref="FigureRevision.EntryKey"/>). Histories written before revisions carried their entry
/// have one of these for every change. As-of answers read the latest change per originator at or before a revision,
/// from both: a few index probes, whatever the length of the history.
/// </summary>
public sealed record FigureEntryChange
{
    public string Id { get; init; } = "";
    public Guid FigureId { get; init; }
    public string OriginatorKey { get; init; } = "";
    public long Revision { get; init; }
    public FigureEntry? Entry { get; init; }
}
