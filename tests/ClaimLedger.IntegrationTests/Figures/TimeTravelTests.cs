using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Support;
using Marten;

namespace ClaimLedger.IntegrationTests.Figures;

/// <summary>Answers recorded during a history equal what later as-of queries say of those moments.</summary>
public class TimeTravelTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static string WithoutAsOf(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("asOf");
        return node.ToJsonString();
    }

    [Fact]
    public async Task As_of_answers_are_exactly_what_the_ledger_said_then() => await RecordAndReplayAsync(rewrite: null);

    /// <summary>
    /// Histories written before revisions carried the entry they changed kept every entry change as a document of its
    /// own: as-of answers over such a history are the same (no rebuild needed after the upgrade).
    /// </summary>
    [Fact]
    public async Task As_of_answers_over_a_history_written_before_revisions_carried_their_entry_are_the_same() =>
        await RecordAndReplayAsync(async figure =>
        {
            await Api.WaitForProjectionsAsync();
            await using var session = Api.Store.LightweightSession();
            var revisions = await session.Query<FigureRevision>().Where(r => r.FigureId == figure).ToListAsync();
            revisions.Count(r => r.EntryKey != null).ShouldBeGreaterThan(0);
            foreach (var revision in revisions.Where(r => r.EntryKey != null))
            {
                session.Store(new FigureEntryChange
                {
                    Id = $"{revision.Id}/{revision.EntryKey}", FigureId = figure, OriginatorKey = revision.EntryKey!,
                    Revision = revision.Revision, Entry = revision.Entry,
                });
                session.Store(revision with { EntryKey = null, Entry = null });
            }
            await session.SaveChangesAsync();
        });

    [Fact]
    public async Task A_correction_that_moves_a_claim_to_another_originator_changes_both_entries_as_of_then()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        await Api.Claim(source, figure, 100, "SOHR");
        var moved = await Api.Claim(source, figure, 200, "OSDH");
        var before = await Api.Get($"/api/figures/{figure}");
        (await Api.Post($"/api/claims/{moved}/corrections", new { attributedTo = "SOHR", reason = "the OSDH relayed SOHR" })).Status.ShouldBe(200);
        var after = await Api.Get($"/api/figures/{figure}");
        // OSDH has no claim left; SOHR's entry is now the moved claim, the newer of its two.
        after.Json.GetProperty("current").EnumerateArray().Select(e => (e.GetProperty("attributedTo").GetString(), e.GetProperty("claimId").GetGuid()))
            .ShouldBe([("SOHR", moved)]);
        foreach (var then in new[] { before, after })
        {
            var at = then.Json.GetProperty("lastChangedAt").GetString()!;
            WithoutAsOf((await Api.Get($"/api/figures/{figure}?asOf={Uri.EscapeDataString(at)}")).Body).ShouldBe(WithoutAsOf(then.Body), $"as of {at}");
        }
    }

    private async Task RecordAndReplayAsync(Func<Guid, Task>? rewrite)
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var random = new Random(20241129);
        var claims = new List<Guid>();
        var figureAnswers = new List<(string At, string Body)>();
        var claimAnswers = new List<(Guid Claim, string At, long Version, string Body)>();

        for (var step = 0; step < 40; step++)
        {
            var writes = claims.Count < 3 ? 0 : random.Next(5);
            Guid touched;
            if (writes == 0 || claims.Count < 3)
            {
                touched = await Api.Claim(source, figure, random.Next(100, 400), $"originator {random.Next(4)}");
                claims.Add(touched);
            }
            else
            {
                touched = claims[random.Next(claims.Count)];
                var path = $"/api/claims/{touched}";
                _ = writes switch
                {
                    1 => await Api.Post($"{path}/evidence", new { sourceId = source, stance = "supports", note = $"step {step}" }),
                    2 => await Api.Post($"{path}/verdict", new { verdict = random.Next(2) == 0 ? "verified" : "false", note = $"step {step}" }, LedgerApi.Reviewer),
                    // Half the corrections move the claim to another originator: a revision that changes two entries.
                    3 when random.Next(2) == 0 => await Api.Post($"{path}/corrections", new { attributedTo = $"originator {random.Next(4)}", reason = $"step {step}" }),
                    3 => await Api.Post($"{path}/corrections", new { value = new { amount = random.Next(100, 400), bound = "at_least" }, reason = $"step {step}" }),
                    _ => await Api.Post($"{path}/retraction", new { reason = $"step {step}" }),
                };
            }
            var picture = await Api.Get($"/api/figures/{figure}");
            figureAnswers.Add((picture.Json.GetProperty("lastChangedAt").GetString()!, picture.Body));
            var claim = await Api.Get($"/api/claims/{touched}");
            claimAnswers.Add((touched, claim.Json.GetProperty("lastChangedAt").GetString()!, claim.Json.GetProperty("version").GetInt64(), claim.Body));
        }

        if (rewrite != null) await rewrite(figure);
        foreach (var (at, body) in figureAnswers)
        {
            var then = await Api.Get($"/api/figures/{figure}?asOf={Uri.EscapeDataString(at)}");
            then.Status.ShouldBe(200);
            then.Json.GetProperty("asOf").GetString().ShouldNotBeNull();
            WithoutAsOf(then.Body).ShouldBe(WithoutAsOf(body), $"figure as of {at}");
        }
        foreach (var (claim, at, version, body) in claimAnswers)
        {
            (await Api.Get($"/api/claims/{claim}?asOf={Uri.EscapeDataString(at)}")).Body.ShouldBe(body, $"claim as of {at}");
            (await Api.Get($"/api/claims/{claim}?version={version}")).Body.ShouldBe(body, $"claim at version {version}");
        }
    }
}
