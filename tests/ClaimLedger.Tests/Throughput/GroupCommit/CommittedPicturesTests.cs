using ClaimLedger.Figures;
using ClaimLedger.Figures.Picture;
using JasperFx.Events;
using Marten.Services;
using Shouldly;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.Tests.Throughput.GroupCommit;

/// <summary>What a node remembers of the pictures it committed: the latest of each, and only the inline picture.</summary>
public class CommittedPicturesTests
{
    private static FigurePicture Picture(Guid id, long revisions) => new() { Id = id, Title = "Deaths", RevisionCount = revisions };

    [Fact]
    public void The_later_picture_of_a_figure_wins_whatever_order_its_commits_are_heard_in()
    {
        var pictures = new CommittedPictures();
        var figure = Guid.NewGuid();
        pictures.Remember(Picture(figure, 3));
        pictures.Remember(Picture(figure, 2));
        pictures.AllOf([figure])!.Single().RevisionCount.ShouldBe(3);
        pictures.Remember(Picture(figure, 4));
        pictures.AllOf([figure])!.Single().RevisionCount.ShouldBe(4);
    }

    [Fact]
    public void A_write_counts_on_remembered_pictures_only_when_it_knows_all_of_its_figures()
    {
        var pictures = new CommittedPictures();
        var (known, unknown) = (Guid.NewGuid(), Guid.NewGuid());
        pictures.Remember(Picture(known, 1));
        pictures.AllOf([known, unknown]).ShouldBeNull();
        pictures.AllOf([]).ShouldNotBeNull().ShouldBeEmpty();
        pictures.Forget([known]);
        pictures.AllOf([known]).ShouldBeNull();
    }

    [Fact]
    public void A_picture_past_the_memory_bound_is_not_remembered_and_is_read_instead()
    {
        var pictures = new CommittedPictures();
        var (huge, small) = (Guid.NewGuid(), Guid.NewGuid());
        pictures.Remember(Picture(huge, 1) with { OriginatorKeys = [.. Enumerable.Range(0, 200_000).Select(i => $"originator {i}")] });
        pictures.Remember(Picture(small, 1));
        pictures.AllOf([huge]).ShouldBeNull();
        pictures.AllOf([small]).ShouldNotBeNull();
    }

    [Fact]
    public async Task Writes_of_this_node_on_a_figure_take_turns_and_each_counts_on_the_picture_the_one_before_left()
    {
        var pictures = new CommittedPictures();
        var (figure, other) = (Guid.NewGuid(), Guid.NewGuid());
        pictures.Remember(Picture(figure, 1));
        pictures.Remember(Picture(other, 1));
        var first = await pictures.WriteAsync([figure]);
        first.Pictures.ShouldNotBeNull().ShouldHaveSingleItem().RevisionCount.ShouldBe(1);

        var second = pictures.WriteAsync([other, figure]);
        var third = pictures.WriteAsync([figure]);
        using (var elsewhere = await pictures.WriteAsync([Guid.NewGuid()])) elsewhere.Pictures.ShouldBeNull(); // not remembered
        await Task.Delay(50);
        second.IsCompleted.ShouldBeFalse("the second write waits for the first's turn on the figure");

        pictures.Remember(Picture(figure, 2)); // the first write's commit
        first.Dispose();
        using (var secondWrite = await second)
        {
            secondWrite.Pictures.ShouldNotBeNull().Single(p => p.Id == figure).RevisionCount.ShouldBe(2);
            await Task.Delay(50);
            third.IsCompleted.ShouldBeFalse("the third waits for the second");
        }
        using (var thirdWrite = await third) thirdWrite.Pictures.ShouldNotBeNull().ShouldHaveSingleItem().Id.ShouldBe(figure);
        using var after = await pictures.WriteAsync([figure, other]);
        after.Pictures.ShouldNotBeNull().Count.ShouldBe(2);
    }

    [Fact]
    public async Task Only_the_inline_picture_of_a_commit_is_remembered()
    {
        var pictures = new CommittedPictures();
        var (inline, history) = (Guid.NewGuid(), Guid.NewGuid());
        await pictures.AfterCommitAsync(null!, new Commit([Picture(inline, 5), new FigureHistoryPicture(Picture(history, 9)), "not a picture"]),
            CancellationToken.None);
        pictures.AllOf([inline])!.Single().RevisionCount.ShouldBe(5);
        pictures.AllOf([history]).ShouldBeNull();
    }

    [Fact]
    public void Only_a_refusal_of_the_check_means_a_picture_moved_on()
    {
        CommittedPictures.Moved(new Marten.Exceptions.MartenCommandException(new Npgsql.NpgsqlCommand("select 1"),
            new Npgsql.PostgresException("moved", "ERROR", "ERROR", CommittedPictures.MovedState))).ShouldBeTrue();
        CommittedPictures.Moved(new Npgsql.PostgresException("duplicate key", "ERROR", "ERROR", "23505")).ShouldBeFalse();
        CommittedPictures.Moved(new TimeoutException()).ShouldBeFalse();
    }

    private sealed class Commit(IEnumerable<object> updated) : IChangeSet
    {
        public IEnumerable<object> Updated => updated;
        public IEnumerable<object> Inserted => [];
        public IEnumerable<Weasel.Storage.IDeletion> Deleted => [];
        public IEnumerable<IEvent> GetEvents() => [];
        public IEnumerable<StreamAction> GetStreams() => [];
        public IChangeSet Clone() => this;
    }
}
