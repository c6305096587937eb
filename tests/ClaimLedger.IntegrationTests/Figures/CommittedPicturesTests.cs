using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Figures.Picture;
using ClaimLedger.Hosting;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Figures;

/// <summary>
/// A write whose pictures this node remembers sends its transaction id, its figure locks and the check of its pictures
/// ahead of its events, in one round trip; a picture that moved on meanwhile (another node wrote the figure) refuses the
/// write whole, and the group is written again from what is stored.
/// </summary>
public class CommittedPicturesTests
{
    [Fact]
    public async Task The_lock_and_the_check_go_ahead_of_the_events_and_the_committed_picture_is_remembered()
    {
        var api = await LedgerApi.Shared();
        var source = await api.Source();
        var figure = await api.Figure();
        var pictures = api.Host.Services.GetRequiredService<CommittedPictures>();
        var defined = pictures.AllOf([figure]).ShouldNotBeNull().ShouldHaveSingleItem();
        defined.RevisionCount.ShouldBe(0);

        await using var session = api.Store.LightweightSession();
        var sent = new SentStatements();
        session.Logger = sent;
        session.LastModifiedBy = "test";
        var transaction = await LedgerTransaction.StartAsync(session, CancellationToken.None);
        transaction.OpenWithTheWrite(session, [defined]);
        var claim = Guid.CreateVersion7();
        session.Events.StartStream<Claim>(claim, Submitted(claim, source, figure));
        await session.SaveChangesAsync();

        var check = sent.Statements.FindIndex(s => s.Contains("cl_lock_figures_expecting"));
        check.ShouldBe(0, string.Join("\n", sent.Statements));
        sent.Statements.FindIndex(s => s.Contains("mt_quick_append_events")).ShouldBeGreaterThan(check);
        sent.Statements.ShouldNotContain(s => s.Contains("from claimledger.mt_doc_figurepicture"), "the picture was not read");
        pictures.AllOf([figure]).ShouldNotBeNull().ShouldHaveSingleItem().RevisionCount.ShouldBe(1);
        (await api.Get($"/api/figures/{figure}")).Json.GetProperty("revisionCount").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task A_write_counting_on_a_picture_that_moved_on_is_refused_whole()
    {
        var api = await LedgerApi.Shared();
        var source = await api.Source();
        var figure = await api.Figure();
        var defined = api.Host.Services.GetRequiredService<CommittedPictures>().AllOf([figure]).ShouldNotBeNull().Single();

        await using var session = api.Store.LightweightSession();
        session.LastModifiedBy = "test";
        var transaction = await LedgerTransaction.StartAsync(session, CancellationToken.None);
        transaction.OpenWithTheWrite(session, [defined with { RevisionCount = 7 }]);
        var claim = Guid.CreateVersion7();
        session.Events.StartStream<Claim>(claim, Submitted(claim, source, figure));
        var refused = await Should.ThrowAsync<Exception>(() => session.SaveChangesAsync());
        CommittedPictures.Moved(refused).ShouldBeTrue(refused.ToString());

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

    /// <summary>The statements a session sent, in order.</summary>
    private sealed class SentStatements : IMartenSessionLogger
    {
        public List<string> Statements { get; } = [];
        public void OnBeforeExecute(NpgsqlBatch batch) => Statements.AddRange(batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText));
        public void OnBeforeExecute(NpgsqlCommand command) => Statements.Add(command.CommandText);
        public void LogSuccess(NpgsqlCommand command) { }
        public void LogFailure(NpgsqlCommand command, Exception ex) { }
        public void LogSuccess(NpgsqlBatch batch) { }
        public void LogFailure(NpgsqlBatch batch, Exception ex) { }
        public void LogFailure(Exception ex, string message) { }
        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }
    }
}
