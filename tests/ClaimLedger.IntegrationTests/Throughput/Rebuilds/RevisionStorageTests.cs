using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.IntegrationTests.Throughput.Rebuilds;

/// <summary>How the history stores revisions: once each, and paged by the primary key alone.</summary>
public class RevisionStorageTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static FigureRevision Revision(Guid figure, long number, string reason) => new()
    {
        Id = FigureRevision.IdFor(figure, number), FigureId = figure, Revision = number, Actor = "test", Reason = reason,
        RecordedAt = DateTimeOffset.UnixEpoch.AddDays(number), AttributedTo = "OSDH", ClaimId = Guid.NewGuid(),
    };

    private async Task WriteAsync(Action<Marten.IDocumentSession> queue)
    {
        await using var session = Api.Store.LightweightSession();
        queue(session);
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task A_revision_is_written_once_a_second_one_under_its_number_fails_and_the_first_stays()
    {
        var figure = Guid.NewGuid();
        await WriteAsync(s => DocumentRows.Insert(s, [Revision(figure, 1, "first")], r => r.Id));

        await Should.ThrowAsync<Exception>(() => WriteAsync(s => DocumentRows.Insert(s, [Revision(figure, 1, "second")], r => r.Id)));

        await using var query = Api.Store.QuerySession();
        (await query.LoadAsync<FigureRevision>(FigureRevision.IdFor(figure, 1)))!.Reason.ShouldBe("first");
    }

    [Fact]
    public async Task Working_state_is_rewritten_in_place()
    {
        var figure = Guid.NewGuid();
        await WriteAsync(s => DocumentRows.Upsert(s, [Revision(figure, 1, "first")], r => r.Id));
        await WriteAsync(s => DocumentRows.Upsert(s, [Revision(figure, 1, "second")], r => r.Id));

        await using var query = Api.Store.QuerySession();
        (await query.LoadAsync<FigureRevision>(FigureRevision.IdFor(figure, 1)))!.Reason.ShouldBe("second");
    }

    [Fact]
    public async Task A_page_holds_only_its_figure_in_revision_order_past_nine_and_from_the_cursor()
    {
        var (figure, other) = (Guid.NewGuid(), Guid.NewGuid());
        var numbers = Enumerable.Range(1, 12).Select(n => (long)n).Reverse().ToList();
        await WriteAsync(s =>
        {
            DocumentRows.Insert(s, numbers.Select(n => Revision(figure, n, $"r{n}")).ToList(), r => r.Id);
            DocumentRows.Insert(s, [Revision(other, 1, "other"), Revision(other, 13, "other")], r => r.Id);
        });

        await using var query = Api.Store.QuerySession();
        (await FigureRevision.PageAsync(query, figure, 0, 100, default)).Select(r => r.Revision).ShouldBe(Enumerable.Range(1, 12).Select(n => (long)n));
        (await FigureRevision.PageAsync(query, figure, 9, 2, default)).Select(r => r.Revision).ShouldBe([10L, 11L]);
        (await FigureRevision.PageAsync(query, figure, 12, 100, default)).ShouldBeEmpty();
        (await FigureRevision.PageAsync(query, other, 0, 100, default)).Select(r => r.Revision).ShouldBe([1L, 13L]);
    }
}
