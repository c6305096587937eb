using ClaimLedger.Figures;
using ClaimLedger.Figures.Picture;
using JasperFx.Events;
using Marten.Services;
using Shouldly;

namespace ClaimLedger.Tests.Figures;

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
    public void A_write_on_a_figure_another_write_of_this_node_has_in_flight_reads_its_picture_instead()
    {
        var pictures = new CommittedPictures();
        var (figure, other) = (Guid.NewGuid(), Guid.NewGuid());
        pictures.Remember(Picture(figure, 1));
        pictures.Remember(Picture(other, 1));
        using (var first = pictures.Write([figure]))
        {
            first.Pictures.ShouldNotBeNull().ShouldHaveSingleItem().RevisionCount.ShouldBe(1);
            using (var second = pictures.Write([other, figure])) second.Pictures.ShouldBeNull();
            using var elsewhere = pictures.Write([other]);
            elsewhere.Pictures.ShouldNotBeNull();
        }
        using var after = pictures.Write([figure, other]);
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
