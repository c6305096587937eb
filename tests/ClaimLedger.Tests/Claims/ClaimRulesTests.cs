using ClaimLedger.Access;
using ClaimLedger.Claims;

namespace ClaimLedger.Tests.Claims;

/// <summary>The status machine, every status × every command, without a database.</summary>
public class ClaimRulesTests
{
    private static readonly Actor Alice = new("alice", Roles.Reviewer);
    private static readonly Actor Bob = new("bob", Roles.Reviewer);
    private static readonly Guid Figure = Guid.NewGuid();
    private static readonly Guid OpenDisputeId = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2024, 11, 29, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A claim submitted by alice, in the given status (with an open dispute opened by alice when disputed).</summary>
    private static Claim ClaimIn(ClaimStatus status) => new()
    {
        Id = Guid.NewGuid(), Version = 3, Status = status, SourceId = Guid.NewGuid(), Quote = "au moins 242 victimes",
        AttributedTo = "OSDH", FigureId = Figure, Value = new ClaimValue(242, Bound.AtLeast), SubmittedBy = "alice",
        SubmittedAt = T0, LastChangedAt = T0,
        StatusBeforeDispute = status == ClaimStatus.Disputed ? ClaimStatus.Verified : null,
        Disputes = status == ClaimStatus.Disputed ? [new Dispute(OpenDisputeId, "wrong count", null, null, null, "alice", T0)] : [],
    };

    public static TheoryData<ClaimStatus> AllStatuses() => new(Enum.GetValues<ClaimStatus>());

    private static readonly Func<ClaimCommand>[] AllCommands =
    [
        () => new AttachEvidence(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Supports, "note"),
        () => new OpenDispute(Guid.NewGuid(), "reason", null, null, null),
        () => new ResolveDispute(OpenDisputeId, DisputeOutcome.Upheld, "note"),
        () => new RecordVerdict(Verdict.Verified, "note"),
        () => new CorrectClaim(new ClaimContent("au moins 242 victimes", null, "OSDH", new ClaimValue(250, Bound.AtLeast), null, null), "recount"),
        () => new RetractClaim("withdrawn"),
        () => new SupersedeClaim(Guid.NewGuid(), Figure, "OSDH"),
    ];

    [Fact]
    public void A_retracted_claim_refuses_every_command_with_409_and_a_sentence()
    {
        foreach (var command in AllCommands.Select(c => c()))
        {
            var decision = ClaimRules.Decide(ClaimIn(ClaimStatus.Retracted), command, Alice);
            decision.Refusal.ShouldNotBeNull(command.GetType().Name);
            decision.Refusal.Status.ShouldBe(409);
            decision.Refusal.Reason.ShouldStartWith("a retracted claim cannot");
            decision.Events.ShouldBeEmpty();
        }
    }

    [Fact]
    public void A_retracted_claim_cannot_be_verified_says_so()
    {
        ClaimRules.Decide(ClaimIn(ClaimStatus.Retracted), new RecordVerdict(Verdict.Verified, "n"), Bob)
            .Refusal!.Reason.ShouldStartWith("a retracted claim cannot be verified");
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void Evidence_is_accepted_in_every_status_but_retracted_and_moves_submitted_to_under_review(ClaimStatus status)
    {
        var claim = ClaimIn(status);
        var decision = ClaimRules.Decide(claim, new AttachEvidence(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Contradicts, "n"), Bob);
        if (status == ClaimStatus.Retracted) { decision.Refusal!.Status.ShouldBe(409); return; }
        decision.Accepted.ShouldBeTrue();
        var after = Apply(claim, decision);
        after.Status.ShouldBe(status == ClaimStatus.Submitted ? ClaimStatus.UnderReview : status);
        after.Evidence.Count.ShouldBe(1);
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void A_dispute_opens_from_any_status_but_retracted_and_not_while_one_is_open(ClaimStatus status)
    {
        var claim = ClaimIn(status);
        var decision = ClaimRules.Decide(claim, new OpenDispute(Guid.NewGuid(), "the count is wrong", null, null, null), Bob);
        if (status is ClaimStatus.Retracted or ClaimStatus.Disputed)
        {
            decision.Refusal!.Status.ShouldBe(409);
            return;
        }
        decision.Accepted.ShouldBeTrue();
        var after = Apply(claim, decision);
        after.Status.ShouldBe(ClaimStatus.Disputed);
        after.StatusBeforeDispute.ShouldBe(status);
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void Resolving_needs_an_open_dispute(ClaimStatus status)
    {
        var decision = ClaimRules.Decide(ClaimIn(status), new ResolveDispute(OpenDisputeId, DisputeOutcome.Rejected, "n"), Bob);
        switch (status)
        {
            case ClaimStatus.Retracted: decision.Refusal!.Status.ShouldBe(409); break;
            case ClaimStatus.Disputed: decision.Accepted.ShouldBeTrue(); break;
            default: decision.Refusal!.Status.ShouldBe(404); decision.Refusal.Field.ShouldBe("disputeId"); break;
        }
    }

    [Fact]
    public void An_upheld_dispute_refutes_and_a_rejected_one_restores_the_status_before_it()
    {
        var disputed = ClaimIn(ClaimStatus.Disputed);
        Apply(disputed, ClaimRules.Decide(disputed, new ResolveDispute(OpenDisputeId, DisputeOutcome.Upheld, "n"), Bob))
            .Status.ShouldBe(ClaimStatus.Refuted);
        var rejected = Apply(disputed, ClaimRules.Decide(disputed, new ResolveDispute(OpenDisputeId, DisputeOutcome.Rejected, "n"), Bob));
        rejected.Status.ShouldBe(ClaimStatus.Verified);
        rejected.OpenDispute.ShouldBeNull();
    }

    [Fact]
    public void A_resolved_dispute_cannot_be_resolved_again()
    {
        var disputed = ClaimIn(ClaimStatus.Disputed);
        var resolved = Apply(disputed, ClaimRules.Decide(disputed, new ResolveDispute(OpenDisputeId, DisputeOutcome.Rejected, "n"), Bob));
        var again = ClaimRules.Decide(resolved, new ResolveDispute(OpenDisputeId, DisputeOutcome.Upheld, "n"), Bob);
        again.Refusal!.Status.ShouldBe(409);
        again.Refusal.Reason.ShouldContain("already resolved");
    }

    [Fact]
    public void A_reviewer_never_resolves_a_dispute_it_opened()
    {
        var decision = ClaimRules.Decide(ClaimIn(ClaimStatus.Disputed), new ResolveDispute(OpenDisputeId, DisputeOutcome.Upheld, "n"), Alice);
        decision.Refusal!.Status.ShouldBe(403);
        decision.Refusal.Reason.ShouldContain("never resolves a dispute it opened");
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void A_verdict_is_recorded_unless_retracted_disputed_or_refuted(ClaimStatus status)
    {
        var claim = ClaimIn(status);
        var decision = ClaimRules.Decide(claim, new RecordVerdict(Verdict.Misleading, "context missing"), Bob);
        if (status is ClaimStatus.Retracted or ClaimStatus.Disputed or ClaimStatus.Refuted)
        {
            decision.Refusal!.Status.ShouldBe(409);
            return;
        }
        decision.Accepted.ShouldBeTrue();
        Apply(claim, decision).Status.ShouldBe(ClaimStatus.Misleading);
    }

    [Theory]
    [InlineData(Verdict.Verified, ClaimStatus.Verified)]
    [InlineData(Verdict.False, ClaimStatus.False)]
    [InlineData(Verdict.Misleading, ClaimStatus.Misleading)]
    [InlineData(Verdict.Unverifiable, ClaimStatus.Unverifiable)]
    public void Each_verdict_sets_its_status_and_a_later_one_replaces_it(Verdict verdict, ClaimStatus expected)
    {
        var verified = Apply(ClaimIn(ClaimStatus.Submitted), ClaimRules.Decide(ClaimIn(ClaimStatus.Submitted), new RecordVerdict(Verdict.Verified, "first"), Bob));
        var decision = ClaimRules.Decide(verified, new RecordVerdict(verdict, "second"), Bob);
        var after = Apply(verified, decision);
        after.Status.ShouldBe(expected);
        after.Verdict!.Note.ShouldBe("second");
    }

    [Fact]
    public void A_reviewer_never_judges_a_claim_it_submitted()
    {
        var decision = ClaimRules.Decide(ClaimIn(ClaimStatus.UnderReview), new RecordVerdict(Verdict.Verified, "n"), Alice);
        decision.Refusal!.Status.ShouldBe(403);
        decision.Refusal.Reason.ShouldContain("never records the verdict on a claim it submitted");
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void Only_the_submitter_corrects_and_a_correction_keeps_the_status(ClaimStatus status)
    {
        var claim = ClaimIn(status);
        var corrected = claim.Content with { Value = new ClaimValue(250, Bound.AtLeast) };
        var byOther = ClaimRules.Decide(claim, new CorrectClaim(corrected, "recount"), Bob);
        var bySubmitter = ClaimRules.Decide(claim, new CorrectClaim(corrected, "recount"), Alice);
        if (status == ClaimStatus.Retracted)
        {
            byOther.Refusal!.Status.ShouldBe(409);
            bySubmitter.Refusal!.Status.ShouldBe(409);
            return;
        }
        byOther.Refusal!.Status.ShouldBe(403);
        var after = Apply(claim, bySubmitter);
        after.Status.ShouldBe(status);
        after.Value!.Amount.ShouldBe(250);
        var e = bySubmitter.Events.Single().ShouldBeOfType<ClaimCorrected>();
        e.Previous.Value!.Amount.ShouldBe(242);
        e.Corrected.Value!.Amount.ShouldBe(250);
    }

    [Fact]
    public void A_correction_that_changes_nothing_is_refused()
    {
        var claim = ClaimIn(ClaimStatus.Submitted);
        ClaimRules.Decide(claim, new CorrectClaim(claim.Content, "no change"), Alice).Refusal!.Status.ShouldBe(422);
    }

    [Fact]
    public void A_correction_cannot_end_a_period_before_it_starts()
    {
        var claim = ClaimIn(ClaimStatus.Submitted);
        var content = claim.Content with { ValidFrom = T0, ValidTo = T0.AddDays(-1) };
        ClaimRules.Decide(claim, new CorrectClaim(content, "dates"), Alice).Refusal!.Field.ShouldBe("validTo");
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void Only_the_submitter_retracts_and_retraction_is_terminal(ClaimStatus status)
    {
        var claim = ClaimIn(status);
        ClaimRules.Decide(claim, new RetractClaim("withdrawn"), Bob).Refusal!.Status.ShouldBe(status == ClaimStatus.Retracted ? 409 : 403);
        var decision = ClaimRules.Decide(claim, new RetractClaim("withdrawn"), Alice);
        if (status == ClaimStatus.Retracted) { decision.Refusal!.Status.ShouldBe(409); return; }
        var after = Apply(claim, decision);
        after.Status.ShouldBe(ClaimStatus.Retracted);
        after.Standing.ShouldBeFalse();
    }

    [Theory, MemberData(nameof(AllStatuses))]
    public void A_newer_claim_supersedes_any_claim_but_a_retracted_one_and_the_status_stays(ClaimStatus status)
    {
        var claim = ClaimIn(status);
        var newer = Guid.NewGuid();
        var decision = ClaimRules.Decide(claim, new SupersedeClaim(newer, Figure, "osdh "), Bob);
        if (status == ClaimStatus.Retracted) { decision.Refusal!.Status.ShouldBe(409); return; }
        var after = Apply(claim, decision);
        after.SupersededBy.ShouldBe(newer);
        after.Status.ShouldBe(status);
        after.Standing.ShouldBeFalse();
    }

    [Fact]
    public void Superseding_needs_the_same_figure_and_originator_and_happens_once()
    {
        var claim = ClaimIn(ClaimStatus.Verified);
        ClaimRules.Decide(claim, new SupersedeClaim(Guid.NewGuid(), Guid.NewGuid(), "OSDH"), Bob).Refusal!.Status.ShouldBe(422);
        ClaimRules.Decide(claim, new SupersedeClaim(Guid.NewGuid(), Figure, "ONU"), Bob).Refusal!.Status.ShouldBe(422);
        var superseded = claim with { SupersededBy = Guid.NewGuid() };
        ClaimRules.Decide(superseded, new SupersedeClaim(Guid.NewGuid(), Figure, "OSDH"), Bob).Refusal!.Status.ShouldBe(409);
    }

    [Theory]
    [InlineData(ClaimStatus.Submitted, true)]
    [InlineData(ClaimStatus.UnderReview, true)]
    [InlineData(ClaimStatus.Verified, true)]
    [InlineData(ClaimStatus.Misleading, true)]
    [InlineData(ClaimStatus.Unverifiable, true)]
    [InlineData(ClaimStatus.Disputed, true)]
    [InlineData(ClaimStatus.False, false)]
    [InlineData(ClaimStatus.Refuted, false)]
    [InlineData(ClaimStatus.Retracted, false)]
    public void Standing_means_not_retracted_false_or_refuted(ClaimStatus status, bool standing) =>
        ClaimIn(status).Standing.ShouldBe(standing);

    /// <summary>Folds a decision's events into the state the way the projection does.</summary>
    internal static Claim Apply(Claim claim, Decision decision)
    {
        decision.Accepted.ShouldBeTrue(decision.Refusal?.Reason);
        return claim.Folding(decision.Events, "bob", T0.AddMinutes(1));
    }
}

public class ClaimStateTests
{
    [Fact]
    public void The_claim_keeps_its_most_recent_evidence_and_counts_all_of_it()
    {
        var claim = new Claim { Id = Guid.NewGuid(), SubmittedBy = "alice" };
        var events = Enumerable.Range(0, 60).Select(i => (object)new EvidenceAttached(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Supports, $"note {i}"));
        var after = claim.Folding(events, "bob", DateTimeOffset.UnixEpoch);
        after.EvidenceCount.ShouldBe(60);
        after.Evidence.Count.ShouldBe(Claim.RecentEvidence);
        after.Evidence[0].Note.ShouldBe("note 10");
        after.Evidence[^1].Note.ShouldBe("note 59");
        after.Version.ShouldBe(60);
    }
}
