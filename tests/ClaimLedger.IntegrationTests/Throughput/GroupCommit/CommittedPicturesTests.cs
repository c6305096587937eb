using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Figures.Picture;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ClaimLedger.Storage;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.IntegrationTests.Throughput.GroupCommit;

/// <summary>
/// A write whose pictures this node remembers sends its transaction id, its figure locks and the check of its pictures
/// ahead of its events, and its commit after them, in one round trip; a picture that moved on meanwhile (another node wrote the figure) refuses the
/// write whole, and the group is written again from what is stored.
/// </summary>
public class CommittedPicturesTests
{
    [Fact]
    public async Task The_lock_and_the_check_go_ahead_of_the_events_the_commit_follows_them_and_the_committed_picture_is_remembered()
    {
        var api = await LedgerApi.Shared();
        var source = await api.Source();
        var figure = await api.Figure();
        var pictures = api.Host.Services.GetRequiredService<CommittedPictures>();
        var defined = pictures.AllOf([figure]).ShouldNotBeNull().ShouldHaveSingleItem();
        defined.RevisionCount.ShouldBe(0);

        // As a group of submissions writes (SubmissionGroups).
        await using var write = await CommitWithTheWrite.OpenAsync(api.Store, CancellationToken.None);
        var session = write.Session;
        var sent = new SentStatements();
        session.Logger = sent;
        session.LastModifiedBy = "test";
        await LedgerTransaction.StartAsync(session, CancellationToken.None);
        CommittedPictures.ExpectingAhead(session, [defined]);
        var claim = Guid.CreateVersion7();
        session.Events.StartStream<Claim>(claim, Submitted(claim, source, figure));
        await session.SaveChangesAsync();

        var statements = sent.Statements.ToList();
        var check = statements.FindIndex(s => s.Contains("cl_lock_figures_expecting"));
        check.ShouldBe(0, string.Join("\n", statements));
        statements.FindIndex(s => s.Contains("mt_quick_append_events")).ShouldBeGreaterThan(check);
        sent.Statements.ShouldNotContain(s => s.Contains("from claimledger.mt_doc_figurepicture"), "the picture was not read");
        sent.RoundTrips.Count.ShouldBe(1, "the lock, the check, the events and the commit travel together");
        statements[^1].ShouldBe("commit");
        pictures.AllOf([figure]).ShouldNotBeNull().ShouldHaveSingleItem().RevisionCount.ShouldBe(1);
        (await api.Get($"/api/figures/{figure}")).Json.GetProperty("revisionCount").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task A_write_counting_on_a_picture_that_moved_on_is_refused_whole_and_not_logged_as_a_failure()
    {
        var api = await LedgerApi.Shared();
        var source = await api.Source();
        var figure = await api.Figure();
        var defined = api.Host.Services.GetRequiredService<CommittedPictures>().AllOf([figure]).ShouldNotBeNull().Single();

        await using var session = api.Store.LightweightSession();
        var logged = new SentStatements();
        session.Logger = logged;
        session.LastModifiedBy = "test";
        await LedgerTransaction.StartAsync(session, CancellationToken.None);
        CommittedPictures.ExpectingAhead(session, [defined with { RevisionCount = 7 }]);
        var claim = Guid.CreateVersion7();
        session.Events.StartStream<Claim>(claim, Submitted(claim, source, figure));
        var refused = await Should.ThrowAsync<Exception>(() => session.SaveChangesAsync());
        CommittedPictures.Moved(refused).ShouldBeTrue(refused.ToString());
        // Expected by its writer, which writes again: not logged as a failure (with a stack) for operators to chase.
        logged.Failures.ShouldBeEmpty();
        logged.Statements.ShouldContain(s => s.Contains("cl_lock_figures_expecting"));

        await using var query = api.Store.QuerySession();
        (await query.Events.FetchStreamStateAsync(claim)).ShouldBeNull();
        (await query.LoadAsync<FigurePicture>(figure)).ShouldNotBeNull().RevisionCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_submission_on_a_figure_another_node_wrote_meanwhile_is_written_from_the_stored_picture()
    {
        await using var first = await LedgerApi.StartAsync("committed-pictures-nodes");
        await using var second = await LedgerApi.StartOnDatabaseAsync(first.ConnectionString);
        var source = await first.Source();
        var figure = await first.Figure();
        await first.Claim(source, figure, 242, "OSDH");
        first.Host.Services.GetRequiredService<CommittedPictures>().AllOf([figure]).ShouldNotBeNull().Single().RevisionCount.ShouldBe(1);

        // The second node writes the figure; the first still remembers revision 1.
        await second.Claim(source, figure, 250, "UN");
        await first.Claim(source, figure, 260, "Syrian Civil Defence");

        var picture = (await first.Get($"/api/figures/{figure}")).Json;
        picture.GetProperty("revisionCount").GetInt64().ShouldBe(3);
        picture.GetProperty("current").EnumerateArray().Select(e => e.GetProperty("attributedTo").GetString())
            .ShouldBe(["OSDH", "Syrian Civil Defence", "UN"], ignoreOrder: true);
        first.Host.Services.GetRequiredService<CommittedPictures>().AllOf([figure]).ShouldNotBeNull().Single().RevisionCount.ShouldBe(3);
    }

    private static ClaimSubmitted Submitted(Guid claim, Guid source, Guid figure) =>
        new(claim, source, "au moins 242 victimes depuis mercredi", null, "OSDH", figure, new ClaimValue(242, Bound.AtLeast), null, null, null);
}
