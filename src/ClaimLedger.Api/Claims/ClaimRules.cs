using ClaimLedger.Access;

namespace ClaimLedger.Claims;

/// <summary>Why a command was refused: the HTTP status it maps to, a sentence that says why, and the field at fault.</summary>
public sealed record Refusal(int Status, string Reason, string? Field = null)
{
    public static Refusal Conflict(string reason) => new(409, reason);
    public static Refusal Forbidden(string reason) => new(403, reason);
    public static Refusal Unprocessable(string reason, string field) => new(422, reason, field);
}

/// <summary>What a decision came to: the events to append, or a refusal. Never both.</summary>
public sealed record Decision(IReadOnlyList<object> Events, Refusal? Refusal)
{
    public static Decision Accept(params object[] events) => new(events, null);
    public static Decision Refuse(Refusal refusal) => new([], refusal);
    public bool Accepted => Refusal is null;
}

// ---- Commands on an existing claim ----
public abstract record ClaimCommand;
public sealed record AttachEvidence(Guid EvidenceId, Guid SourceId, string? Quote, Quotes.QuoteAnchor? Anchor, Stance Stance, string Note) : ClaimCommand;
public sealed record OpenDispute(Guid DisputeId, string Reason, Guid? SourceId, string? Quote, Quotes.QuoteAnchor? Anchor) : ClaimCommand;
public sealed record ResolveDispute(Guid DisputeId, DisputeOutcome Outcome, string Note) : ClaimCommand;
public sealed record RecordVerdict(Verdict Verdict, string Note) : ClaimCommand;
public sealed record CorrectClaim(ClaimContent Corrected, string Reason) : ClaimCommand;
public sealed record RetractClaim(string Reason) : ClaimCommand;
public sealed record SupersedeClaim(Guid NewerClaimId, Guid? NewerFigureId, string NewerAttributedTo) : ClaimCommand;

/// <summary>
/// The claim's status machine and its rules, as pure functions of (state, command, actor). No IO, no clock.
/// </summary>
public static class ClaimRules
{
    public static ClaimStatus StatusOf(Verdict verdict) => verdict switch
    {
        Verdict.Verified => ClaimStatus.Verified,
        Verdict.False => ClaimStatus.False,
        Verdict.Misleading => ClaimStatus.Misleading,
        Verdict.Unverifiable => ClaimStatus.Unverifiable,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    public static string Describe(ClaimStatus status) => status switch
    {
        ClaimStatus.UnderReview => "under review",
        ClaimStatus.False => "false",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>The rules for a new claim that names the claim it supersedes.</summary>
    public static Refusal? CanSupersede(Claim older, Guid? figureId, string attributedTo)
    {
        if (older.Status == ClaimStatus.Retracted)
            return Refusal.Conflict("a retracted claim cannot be superseded");
        if (older.SupersededBy is { } by)
            return Refusal.Conflict($"the claim {older.Id} is already superseded by {by}");
        if (older.FigureId is null || older.FigureId != figureId)
            return Refusal.Unprocessable("a claim supersedes only a claim on the same figure", "supersedes");
        if (!SameOriginator(older.AttributedTo, attributedTo))
            return Refusal.Unprocessable($"a claim supersedes only a claim of the same originator ('{older.AttributedTo}')", "supersedes");
        return null;
    }

    public static bool SameOriginator(string a, string b) =>
        string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    public static Decision Decide(Claim claim, ClaimCommand command, Actor actor)
    {
        if (claim.Status == ClaimStatus.Retracted)
            return Decision.Refuse(Refusal.Conflict($"a retracted claim cannot {Verb(command)}: nothing but reads after a retraction"));

        return command switch
        {
            AttachEvidence c => Decision.Accept(new EvidenceAttached(c.EvidenceId, c.SourceId, c.Quote, c.Anchor, c.Stance, c.Note)),

            OpenDispute when claim.OpenDispute is { } open =>
                Decision.Refuse(Refusal.Conflict($"the dispute {open.Id} is still open: resolve it before opening another")),
            OpenDispute c => Decision.Accept(new DisputeOpened(c.DisputeId, c.Reason, c.SourceId, c.Quote, c.Anchor)),

            ResolveDispute c => Resolve(claim, c, actor),
            RecordVerdict c => Judge(claim, c, actor),
            CorrectClaim c => Correct(claim, c, actor),

            RetractClaim when !SubmittedBy(claim, actor) =>
                Decision.Refuse(Refusal.Forbidden($"only the one who submitted the claim ('{claim.SubmittedBy}') may retract it")),
            RetractClaim c => Decision.Accept(new ClaimRetracted(c.Reason)),

            SupersedeClaim c => CanSupersede(claim, c.NewerFigureId, c.NewerAttributedTo) is { } refusal
                ? Decision.Refuse(refusal)
                : Decision.Accept(new ClaimSuperseded(c.NewerClaimId)),

            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name),
        };
    }

    private static Decision Resolve(Claim claim, ResolveDispute c, Actor actor)
    {
        var dispute = claim.Disputes.FirstOrDefault(d => d.Id == c.DisputeId);
        if (dispute is null)
            return Decision.Refuse(new Refusal(404, $"the claim has no dispute {c.DisputeId}", "disputeId"));
        if (dispute.Outcome is { } outcome)
            return Decision.Refuse(Refusal.Conflict($"the dispute was already resolved ({outcome.ToString().ToLowerInvariant()})"));
        if (SameActor(dispute.OpenedBy, actor))
            return Decision.Refuse(Refusal.Forbidden("a reviewer never resolves a dispute it opened: another reviewer must decide"));
        return Decision.Accept(new DisputeResolved(c.DisputeId, c.Outcome, c.Note));
    }

    private static Decision Judge(Claim claim, RecordVerdict c, Actor actor)
    {
        if (claim.Status == ClaimStatus.Disputed)
            return Decision.Refuse(Refusal.Conflict("a disputed claim cannot be judged until its dispute is resolved"));
        if (claim.Status == ClaimStatus.Refuted)
            return Decision.Refuse(Refusal.Conflict("a refuted claim cannot be judged: an upheld dispute already decided it"));
        if (SubmittedBy(claim, actor))
            return Decision.Refuse(Refusal.Forbidden("a reviewer never records the verdict on a claim it submitted: another reviewer must decide"));
        if (claim.Verdict is { } current && current.Verdict == c.Verdict && current.Note == c.Note)
            return Decision.Refuse(Refusal.Conflict($"the claim already has this verdict ({Describe(StatusOf(c.Verdict))}) with this note"));
        return Decision.Accept(new VerdictRecorded(c.Verdict, c.Note));
    }

    private static Decision Correct(Claim claim, CorrectClaim c, Actor actor)
    {
        if (!SubmittedBy(claim, actor))
            return Decision.Refuse(Refusal.Forbidden($"only the one who submitted the claim ('{claim.SubmittedBy}') may correct it"));
        if (c.Corrected.Value is not null && claim.FigureId is null)
            return Decision.Refuse(Refusal.Unprocessable("the claim is on no figure, so it cannot carry a value", "value"));
        if (c.Corrected == claim.Content)
            return Decision.Refuse(Refusal.Unprocessable("the correction changes nothing: give a value, quote, attributedTo, validFrom or validTo that differs", "body"));
        if (c.Corrected.ValidFrom is { } from && c.Corrected.ValidTo is { } to && from > to)
            return Decision.Refuse(Refusal.Unprocessable("validFrom is after validTo", "validTo"));
        return Decision.Accept(new ClaimCorrected(claim.Content, c.Corrected, c.Reason));
    }

    private static bool SubmittedBy(Claim claim, Actor actor) => SameActor(claim.SubmittedBy, actor);

    private static bool SameActor(string name, Actor actor) => string.Equals(name, actor.Name, StringComparison.Ordinal);

    private static string Verb(ClaimCommand command) => command switch
    {
        AttachEvidence => "receive evidence",
        OpenDispute => "be disputed",
        ResolveDispute => "have a dispute resolved",
        RecordVerdict { Verdict: Verdict.Verified } => "be verified",
        RecordVerdict c => $"be judged {Describe(StatusOf(c.Verdict))}",
        CorrectClaim => "be corrected",
        RetractClaim => "be retracted again",
        SupersedeClaim => "be superseded",
        _ => "change",
    };
}
