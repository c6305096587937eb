using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary>Every claim route of the contract, each rule and each refusal, over HTTP.</summary>
public class LifecycleTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private Task<ApiResponse> Evidence(Guid claim, Guid source, string stance = "supports", string? user = LedgerApi.Checker, string? quote = null) =>
        Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, quote, stance, note = "checked against the source" }, user);

    private Task<ApiResponse> Verdict(Guid claim, string verdict, string user = LedgerApi.Reviewer, string note = "checked") =>
        Api.Post($"/api/claims/{claim}/verdict", new { verdict, note }, user);

    private Task<ApiResponse> Dispute(Guid claim, string user = LedgerApi.OtherChecker) =>
        Api.Post($"/api/claims/{claim}/disputes", new { reason = "the count is disputed" }, user);

    private Task<ApiResponse> Resolve(Guid claim, Guid dispute, string outcome, string user = LedgerApi.Reviewer) =>
        Api.Post($"/api/claims/{claim}/disputes/{dispute}/resolution", new { outcome, note = "decided" }, user);

    private async Task<string> StatusOf(Guid claim) => (await Api.Get($"/api/claims/{claim}")).Json.GetProperty("status").GetString()!;

    [Fact]
    public async Task Evidence_moves_a_submitted_claim_under_review_and_keeps_its_anchored_quote()
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        var r = await Evidence(claim, source, "supports", quote: "dont 24 civils");
        r.Status.ShouldBe(200, r.Body);
        r.Json.GetProperty("version").GetInt64().ShouldBe(2);
        r.Json.GetProperty("status").GetString().ShouldBe("under_review");
        r.ETag.ShouldBe("\"2\"");
        var view = (await Api.Get($"/api/claims/{claim}")).Json;
        var evidence = view.GetProperty("evidence")[0];
        evidence.GetProperty("stance").GetString().ShouldBe("supports");
        evidence.GetProperty("anchor").GetProperty("start").GetInt32().ShouldBe(Arrange.Text.IndexOf("dont 24 civils", StringComparison.Ordinal));
        evidence.GetProperty("attachedBy").GetString().ShouldBe(LedgerApi.Checker);
    }

    [Fact]
    public async Task Evidence_refusals_name_their_field()
    {
        var claim = await Api.Claim();
        var missing = await Api.PostRaw($"/api/claims/{claim}/evidence", "{}");
        missing.Status.ShouldBe(400);
        missing.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldBe(["sourceId", "stance", "note"], ignoreOrder: true);
        var badStance = await Api.PostRaw($"/api/claims/{claim}/evidence", $$"""{"sourceId":"{{Guid.NewGuid()}}","stance":"maybe","note":"n"}""");
        badStance.Status.ShouldBe(400);
        badStance.ProblemField.ShouldBe("stance");
        var unknownSource = await Evidence(claim, Guid.NewGuid());
        unknownSource.Status.ShouldBe(422);
        unknownSource.ProblemField.ShouldBe("sourceId");
        var quoteNotThere = await Evidence(claim, await Api.Source(), quote: "cinq cents morts");
        quoteNotThere.Status.ShouldBe(422);
        quoteNotThere.ProblemField.ShouldBe("quote");
        (await Evidence(Guid.NewGuid(), await Api.Source())).Status.ShouldBe(404);
    }

    [Fact]
    public async Task A_verdict_sets_the_status_and_a_later_one_replaces_it_both_in_the_history()
    {
        var claim = await Api.Claim();
        (await Verdict(claim, "verified")).Json.GetProperty("status").GetString().ShouldBe("verified");
        var second = await Verdict(claim, "misleading", LedgerApi.OtherReviewer, "the count leaves out fighters");
        second.Status.ShouldBe(200);
        second.Json.GetProperty("status").GetString().ShouldBe("misleading");
        var view = (await Api.Get($"/api/claims/{claim}")).Json;
        view.GetProperty("verdict").GetProperty("note").GetString().ShouldBe("the count leaves out fighters");
        view.GetProperty("verdict").GetProperty("recordedBy").GetString().ShouldBe(LedgerApi.OtherReviewer);
        var events = (await Api.Get($"/api/claims/{claim}/events")).Json.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        events.Count(t => t == "verdict_recorded").ShouldBe(2);
    }

    [Theory]
    [InlineData("verified")]
    [InlineData("false")]
    [InlineData("misleading")]
    [InlineData("unverifiable")]
    public async Task Each_verdict_is_a_status(string verdict)
    {
        var claim = await Api.Claim();
        (await Verdict(claim, verdict)).Json.GetProperty("status").GetString().ShouldBe(verdict);
    }

    [Fact]
    public async Task Verdicts_need_a_reviewer_who_did_not_submit_the_claim()
    {
        var claim = await Api.Claim(user: LedgerApi.Reviewer);
        var own = await Verdict(claim, "verified", LedgerApi.Reviewer);
        own.Status.ShouldBe(403);
        own.Json.GetProperty("detail").GetString()!.ShouldContain("never records the verdict on a claim it submitted");
        (await Verdict(claim, "verified", LedgerApi.Checker)).Status.ShouldBe(403);
        (await Verdict(claim, "verified", LedgerApi.Auditor)).Status.ShouldBe(403);
        (await Verdict(claim, "verified", LedgerApi.OtherReviewer)).Status.ShouldBe(200);
    }

    [Fact]
    public async Task A_bad_verdict_is_400()
    {
        var claim = await Api.Claim();
        var r = await Api.Post($"/api/claims/{claim}/verdict", new { verdict = "true", note = "n" }, LedgerApi.Reviewer);
        r.Status.ShouldBe(400);
        r.ProblemField.ShouldBe("verdict");
        var noNote = await Api.Post($"/api/claims/{claim}/verdict", new { verdict = "verified" }, LedgerApi.Reviewer);
        noNote.ProblemField.ShouldBe("note");
    }

    [Fact]
    public async Task An_upheld_dispute_refutes_the_claim()
    {
        var claim = await Api.Claim();
        await Verdict(claim, "verified");
        var opened = await Dispute(claim);
        opened.Status.ShouldBe(201, opened.Body);
        opened.Json.GetProperty("status").GetString().ShouldBe("disputed");
        var dispute = opened.Json.GetProperty("disputeId").GetGuid();
        var resolved = await Resolve(claim, dispute, "upheld");
        resolved.Status.ShouldBe(200, resolved.Body);
        resolved.Json.GetProperty("status").GetString().ShouldBe("refuted");
        (await Api.Get($"/api/claims/{claim}")).Json.GetProperty("disputes")[0].GetProperty("outcome").GetString().ShouldBe("upheld");
    }

    [Fact]
    public async Task A_rejected_dispute_restores_the_status_before_it()
    {
        var claim = await Api.Claim();
        await Verdict(claim, "unverifiable");
        var dispute = (await Dispute(claim)).Json.GetProperty("disputeId").GetGuid();
        (await Resolve(claim, dispute, "rejected")).Json.GetProperty("status").GetString().ShouldBe("unverifiable");
    }

    [Fact]
    public async Task Dispute_refusals()
    {
        var claim = await Api.Claim();
        var dispute = (await Dispute(claim, LedgerApi.Reviewer)).Json.GetProperty("disputeId").GetGuid();

        var second = await Dispute(claim);
        second.Status.ShouldBe(409);
        second.Json.GetProperty("detail").GetString()!.ShouldContain("still open");

        var judged = await Verdict(claim, "verified", LedgerApi.OtherReviewer);
        judged.Status.ShouldBe(409);
        judged.Json.GetProperty("detail").GetString()!.ShouldContain("disputed claim cannot be judged");

        var ownDispute = await Resolve(claim, dispute, "upheld", LedgerApi.Reviewer);
        ownDispute.Status.ShouldBe(403);
        ownDispute.Json.GetProperty("detail").GetString()!.ShouldContain("never resolves a dispute it opened");

        (await Resolve(claim, dispute, "upheld", LedgerApi.Checker)).Status.ShouldBe(403);
        (await Resolve(claim, Guid.NewGuid(), "upheld", LedgerApi.OtherReviewer)).Status.ShouldBe(404);
        var badOutcome = await Api.Post($"/api/claims/{claim}/disputes/{dispute}/resolution", new { outcome = "accepted", note = "n" }, LedgerApi.OtherReviewer);
        badOutcome.ProblemField.ShouldBe("outcome");

        (await Resolve(claim, dispute, "rejected", LedgerApi.OtherReviewer)).Status.ShouldBe(200);
        var again = await Resolve(claim, dispute, "upheld", LedgerApi.OtherReviewer);
        again.Status.ShouldBe(409);
        again.Json.GetProperty("detail").GetString()!.ShouldContain("already resolved");

        var noReason = await Api.PostRaw($"/api/claims/{claim}/disputes", "{}");
        noReason.ProblemField.ShouldBe("reason");
        var quoteWithoutSource = await Api.Post($"/api/claims/{claim}/disputes", new { reason = "r", quote = "q" });
        quoteWithoutSource.ProblemField.ShouldBe("sourceId");
    }

    [Fact]
    public async Task A_correction_keeps_the_status_and_both_values()
    {
        var figure = await Api.Figure();
        var claim = await Api.Claim(figure: figure);
        await Verdict(claim, "verified");
        var r = await Api.Post($"/api/claims/{claim}/corrections", new { value = new { amount = 250, bound = "at_least" }, validTo = "2024-11-30", reason = "OSDH revised the count" });
        r.Status.ShouldBe(200, r.Body);
        r.Json.GetProperty("status").GetString().ShouldBe("verified");
        var view = (await Api.Get($"/api/claims/{claim}")).Json;
        view.GetProperty("value").GetProperty("amount").GetDecimal().ShouldBe(250);
        view.GetProperty("validTo").GetString().ShouldStartWith("2024-11-30");
        view.GetProperty("validFrom").GetString().ShouldStartWith("2024-11-27");
        var corrected = (await Api.Get($"/api/claims/{claim}/events")).Json.EnumerateArray().Last().GetProperty("data");
        corrected.GetProperty("previous").GetProperty("value").GetProperty("amount").GetDecimal().ShouldBe(242);
        corrected.GetProperty("corrected").GetProperty("value").GetProperty("amount").GetDecimal().ShouldBe(250);
        corrected.GetProperty("reason").GetString().ShouldBe("OSDH revised the count");
    }

    [Fact]
    public async Task A_corrected_quote_is_anchored_again()
    {
        var claim = await Api.Claim();
        var r = await Api.Post($"/api/claims/{claim}/corrections", new { quote = "au moins 242 victimes depuis mercredi, dont 24 civils", reason = "fuller quote" });
        r.Status.ShouldBe(200, r.Body);
        var anchor = (await Api.Get($"/api/claims/{claim}")).Json.GetProperty("anchor");
        Arrange.Text[anchor.GetProperty("start").GetInt32()..anchor.GetProperty("end").GetInt32()].ShouldBe("au moins 242 victimes depuis mercredi, dont 24 civils");
        var missing = await Api.Post($"/api/claims/{claim}/corrections", new { quote = "trois cents victimes", reason = "r" });
        missing.Status.ShouldBe(422);
        missing.ProblemField.ShouldBe("quote");
    }

    [Fact]
    public async Task Correction_refusals()
    {
        var figure = await Api.Figure();
        var claim = await Api.Claim(figure: figure);
        var other = await Api.Post($"/api/claims/{claim}/corrections", new { attributedTo = "SOHR", reason = "r" }, LedgerApi.OtherChecker);
        other.Status.ShouldBe(403);
        other.Json.GetProperty("detail").GetString()!.ShouldContain("only the one who submitted");
        (await Api.Post($"/api/claims/{claim}/corrections", new { reason = "nothing" })).ProblemField.ShouldBe("body");
        (await Api.Post($"/api/claims/{claim}/corrections", new { attributedTo = "SOHR" })).ProblemField.ShouldBe("reason");
        (await Api.Post($"/api/claims/{claim}/corrections", new { attributedTo = "OSDH", reason = "same" })).Status.ShouldBe(422);
        var upsideDown = await Api.Post($"/api/claims/{claim}/corrections", new { value = new { amount = 242, bound = "approximately", low = 250, high = 240 }, reason = "r" });
        upsideDown.Status.ShouldBe(422);
        upsideDown.ProblemField.ShouldBe("value.low");
        var period = await Api.Post($"/api/claims/{claim}/corrections", new { validTo = "2024-11-01", reason = "r" });
        period.Status.ShouldBe(422);
        period.ProblemField.ShouldBe("validTo");
        var noFigure = await Api.Claim();
        (await Api.Post($"/api/claims/{noFigure}/corrections", new { value = new { amount = 1, bound = "exact" }, reason = "r" })).Status.ShouldBe(422);
    }

    [Fact]
    public async Task A_retraction_is_terminal_and_only_the_submitter_retracts()
    {
        var claim = await Api.Claim();
        var source = await Api.Source();
        (await Api.Post($"/api/claims/{claim}/retraction", new { reason = "r" }, LedgerApi.OtherChecker)).Status.ShouldBe(403);
        (await Api.PostRaw($"/api/claims/{claim}/retraction", "{}")).ProblemField.ShouldBe("reason");
        var r = await Api.Post($"/api/claims/{claim}/retraction", new { reason = "OSDH withdrew the figure" });
        r.Status.ShouldBe(200, r.Body);
        r.Json.GetProperty("status").GetString().ShouldBe("retracted");

        var verdict = await Verdict(claim, "verified");
        verdict.Status.ShouldBe(409);
        verdict.Json.GetProperty("detail").GetString()!.ShouldStartWith("a retracted claim cannot be verified");
        foreach (var attempt in new[]
                 {
                     await Evidence(claim, source), await Dispute(claim),
                     await Api.Post($"/api/claims/{claim}/corrections", new { attributedTo = "x", reason = "r" }),
                     await Api.Post($"/api/claims/{claim}/retraction", new { reason = "again" }),
                 })
        {
            attempt.Status.ShouldBe(409, attempt.Body);
            attempt.ContentType.ShouldBe("application/problem+json");
        }
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task A_newer_count_supersedes_the_older_claim_which_keeps_its_status()
    {
        var figure = await Api.Figure();
        var older = await Api.Claim(figure: figure);
        await Verdict(older, "verified");
        var newer = await Api.Claim(figure: figure, amount: 300, attributedTo: "osdh", supersedes: older);
        var olderView = (await Api.Get($"/api/claims/{older}")).Json;
        olderView.GetProperty("supersededBy").GetGuid().ShouldBe(newer);
        olderView.GetProperty("status").GetString().ShouldBe("verified");
        (await Api.Get($"/api/claims/{newer}")).Json.GetProperty("supersedes").GetGuid().ShouldBe(older);
        var events = (await Api.Get($"/api/claims/{older}/events")).Json;
        events[events.GetArrayLength() - 1].GetProperty("type").GetString().ShouldBe("claim_superseded");
    }

    [Fact]
    public async Task Superseding_refusals_append_nothing()
    {
        var figure = await Api.Figure();
        var source = await Api.Source();
        var older = await Api.Claim(source, figure);
        async Task<ApiResponse> Supersede(Guid? fig, string by, Guid target) => await Api.Post("/api/claims", new
        {
            sourceId = source, quote = "242 victimes", attributedTo = by, figureId = fig,
            value = fig is null ? null : new { amount = 300, bound = "at_least" }, supersedes = target,
        });
        (await Supersede(await Api.Figure(), "OSDH", older)).Status.ShouldBe(422);
        (await Supersede(figure, "ONU", older)).ProblemField.ShouldBe("supersedes");
        (await Supersede(figure, "OSDH", Guid.NewGuid())).Status.ShouldBe(422);
        (await Supersede(figure, "OSDH", older)).Status.ShouldBe(201);
        var twice = await Supersede(figure, "OSDH", older);
        twice.Status.ShouldBe(409);
        twice.Json.GetProperty("detail").GetString()!.ShouldContain("already superseded");
        (await Api.Get($"/api/claims/{older}/events")).Json.GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task Auditors_and_admins_never_write_to_a_claim()
    {
        var claim = await Api.Claim();
        var source = await Api.Source();
        foreach (var user in new[] { LedgerApi.Auditor, LedgerApi.Admin })
        {
            (await Evidence(claim, source, user: user)).Status.ShouldBe(403);
            (await Dispute(claim, user)).Status.ShouldBe(403);
            (await Verdict(claim, "verified", user)).Status.ShouldBe(403);
            (await Api.Post($"/api/claims/{claim}/retraction", new { reason = "r" }, user)).Status.ShouldBe(403);
        }
        (await Api.Get($"/api/claims/{claim}/events")).Json.GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task The_status_machine_holds_across_a_whole_life()
    {
        var source = await Api.Source();
        var claim = await Api.Claim(source);
        (await StatusOf(claim)).ShouldBe("submitted");
        await Evidence(claim, source);
        (await StatusOf(claim)).ShouldBe("under_review");
        await Verdict(claim, "false");
        (await StatusOf(claim)).ShouldBe("false");
        var dispute = (await Dispute(claim)).Json.GetProperty("disputeId").GetGuid();
        (await StatusOf(claim)).ShouldBe("disputed");
        await Resolve(claim, dispute, "rejected");
        (await StatusOf(claim)).ShouldBe("false");
        await Api.Post($"/api/claims/{claim}/retraction", new { reason = "withdrawn" });
        (await StatusOf(claim)).ShouldBe("retracted");
        var events = (await Api.Get($"/api/claims/{claim}/events")).Json.EnumerateArray().ToList();
        events.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1, 2, 3, 4, 5, 6]);
        events.Select(e => e.GetProperty("actor").GetString()).ShouldBe([LedgerApi.Checker, LedgerApi.Checker, LedgerApi.Reviewer, LedgerApi.OtherChecker, LedgerApi.Reviewer, LedgerApi.Checker]);
    }
}
