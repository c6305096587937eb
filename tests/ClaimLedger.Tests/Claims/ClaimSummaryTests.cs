using ClaimLedger.Access;
using ClaimLedger.Claims;
using ClaimLedger.Claims.Searching;
using JasperFx.Events;

namespace ClaimLedger.Tests.Claims;

/// <summary>
/// The summary folds the claim's events as the claim does, and what it says is pending is what the rules let a reviewer
/// decide: random histories, each event decided by the rules, folded into both.
/// </summary>
public class ClaimSummaryTests
{
    private static readonly string[] People = ["alice", "bob", "carol"];
    private static readonly DateTimeOffset T0 = new(2024, 11, 29, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_thousand_random_histories_fold_into_the_same_state_and_the_pending_decision_the_rules_allow()
    {
        for (var seed = 0; seed < 1000; seed++)
        {
            var random = new Random(seed);
            var id = Guid.NewGuid();
            var at = T0;
            var submitted = Wrap(new ClaimSubmitted(id, Guid.NewGuid(), "au moins 242 victimes", null, "OSDH", Guid.NewGuid(),
                new ClaimValue(242, Bound.AtLeast), null, null, null), People[random.Next(3)], at);
            var claim = Claim.Create(submitted) with { Version = 1 };
            var summary = ClaimSummary.Create(submitted);
            for (var step = 0; step < 12; step++)
            {
                Check(claim, summary, $"seed {seed}, step {step}");
                var actor = new Actor(People[random.Next(3)], Roles.Reviewer);
                var decision = ClaimRules.Decide(claim, Command(claim, random), actor);
                if (!decision.Accepted) continue;
                // Ticks that PostgreSQL would round: the summary keeps whole microseconds.
                at = at.AddTicks(random.Next(1, 100_000_000));
                foreach (var data in decision.Events) summary = Apply(summary, data, actor.Name, at);
                claim = claim.Folding(decision.Events, actor.Name, at);
            }
            Check(claim, summary, $"seed {seed}, end");
        }
    }

    private static void Check(Claim claim, ClaimSummary summary, string where)
    {
        (summary.Status, summary.Quote, summary.AttributedTo, summary.Value, summary.SupersededBy, summary.SubmittedBy)
            .ShouldBe((claim.Status, claim.Quote, claim.AttributedTo, claim.Value, claim.SupersededBy, claim.SubmittedBy), where);
        summary.LastChangedAt.ShouldBe(ClaimSummary.Micros(claim.LastChangedAt), where);
        switch (summary.Pending)
        {
            case null:
                claim.Status.ShouldNotBeOneOf([ClaimStatus.Submitted, ClaimStatus.UnderReview, ClaimStatus.Disputed], where);
                break;
            case { Reason: PendingReason.DisputeOpen } pending:
                var open = claim.OpenDispute.ShouldNotBeNull(where);
                (pending.DisputeId, pending.NotBy, pending.Since).ShouldBe((open.Id, open.OpenedBy, ClaimSummary.Micros(open.OpenedAt)), where);
                MayDecide(claim, new ResolveDispute(open.Id, DisputeOutcome.Rejected, "n"), pending.NotBy, where);
                break;
            case { Reason: PendingReason.AwaitingVerdict } pending:
                claim.Status.ShouldBeOneOf([ClaimStatus.Submitted, ClaimStatus.UnderReview], where);
                claim.Verdict.ShouldBeNull(where);
                pending.NotBy.ShouldBe(claim.SubmittedBy, where);
                MayDecide(claim, new RecordVerdict(Verdict.Verified, "n"), pending.NotBy, where);
                break;
        }
    }

    /// <summary>Every reviewer but <paramref name="notBy"/> may decide it; <paramref name="notBy"/> is refused by the four-eyes rule.</summary>
    private static void MayDecide(Claim claim, ClaimCommand command, string notBy, string where)
    {
        foreach (var person in People)
        {
            var decision = ClaimRules.Decide(claim, command, new Actor(person, Roles.Reviewer));
            if (person == notBy) decision.Refusal.ShouldNotBeNull(where).Status.ShouldBe(403, where);
            else decision.Accepted.ShouldBeTrue($"{where}: {person} {decision.Refusal}");
        }
    }

    private static ClaimCommand Command(Claim claim, Random random) => random.Next(8) switch
    {
        0 or 1 => new AttachEvidence(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Supports, "note"),
        2 => new OpenDispute(Guid.NewGuid(), "reason", null, null, null),
        3 => new ResolveDispute(claim.OpenDispute?.Id ?? Guid.NewGuid(), random.Next(2) == 0 ? DisputeOutcome.Upheld : DisputeOutcome.Rejected, "note"),
        4 => new RecordVerdict((Verdict)random.Next(4), $"note {random.Next(3)}"),
        5 => new CorrectClaim(claim.Content with { Quote = $"quote {random.Next(100)}", AttributedTo = $"OSDH {random.Next(3)}" }, "recount"),
        6 => random.Next(4) == 0 ? new RetractClaim("withdrawn") : new AttachEvidence(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Contradicts, "n"),
        _ => new SupersedeClaim(Guid.NewGuid(), claim.FigureId, claim.AttributedTo),
    };

    private static ClaimSummary Apply(ClaimSummary summary, object data, string actor, DateTimeOffset at) => data switch
    {
        EvidenceAttached e => summary.Apply(Wrap(e, actor, at)),
        DisputeOpened e => summary.Apply(Wrap(e, actor, at)),
        DisputeResolved e => summary.Apply(Wrap(e, actor, at)),
        VerdictRecorded e => summary.Apply(Wrap(e, actor, at)),
        ClaimCorrected e => summary.Apply(Wrap(e, actor, at)),
        ClaimRetracted e => summary.Apply(Wrap(e, actor, at)),
        ClaimSuperseded e => summary.Apply(Wrap(e, actor, at)),
        _ => throw new ArgumentOutOfRangeException(nameof(data)),
    };

    private static IEvent<T> Wrap<T>(T data, string actor, DateTimeOffset at) where T : notnull => new Event<T>(data) { UserName = actor, Timestamp = at };

    [Fact]
    public void Filter_terms_name_the_status_source_figure_originator_and_submitter()
    {
        var summary = new ClaimSummary
        {
            Id = Guid.NewGuid(), Status = ClaimStatus.UnderReview, AttributedTo = " OSDH ", SourceId = Guid.NewGuid(), FigureId = Guid.NewGuid(),
            Quote = "L’armée a pris Alep", SubmittedBy = "carla",
        };
        var terms = summary.SearchTerms.Split(' ');
        terms.ShouldContain("armee");
        terms.ShouldContain("osdh");
        terms.ShouldContain(ClaimSummary.StatusFilter(ClaimStatus.UnderReview));
        terms.ShouldContain(ClaimSummary.SourceFilter(summary.SourceId));
        terms.ShouldContain(ClaimSummary.FigureFilter(summary.FigureId!.Value));
        terms.ShouldContain(ClaimSummary.OriginatorFilter("osdh"));
        terms.ShouldContain(ClaimSummary.SubmitterFilter("carla"));
        terms.ShouldAllBe(t => t.Length > 0);
        terms.Distinct().Count().ShouldBe(terms.Length);
    }
}
