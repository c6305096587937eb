using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Sources;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.IntegrationTests.Throughput.GroupCommit;

/// <summary>Sources and figures found once are not read again; what was not found is read again.</summary>
public class KnownReferencesTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Fact]
    public async Task A_source_and_a_figure_found_once_are_answered_without_a_query()
    {
        var (source, figure) = (await Api.Source(), await Api.Figure());
        using var references = new KnownReferences();
        await using (var session = Api.Store.QuerySession())
        {
            var reads = session.CreateBatchQuery();
            var sourceRead = references.SourceAsync(session, source, CancellationToken.None);
            var figureRead = references.FigureExistsAsync(reads, figure);
            await reads.Execute();
            (await sourceRead)!.Id.ShouldBe(source);
            (await figureRead).ShouldBeTrue();
        }

        await using (var session = Api.Store.QuerySession())
        {
            var never = session.CreateBatchQuery(); // never executed: only memory can answer
            await session.DisposeAsync(); // nor can the session
            var sourceRead = references.SourceAsync(session, source, CancellationToken.None);
            var figureRead = references.FigureExistsAsync(never, figure);
            sourceRead.IsCompletedSuccessfully.ShouldBeTrue();
            figureRead.IsCompletedSuccessfully.ShouldBeTrue();
            (await sourceRead)!.Text.ShouldBe(Arrange.Text);
            (await figureRead).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task A_figure_not_found_is_looked_up_again_and_found_once_defined()
    {
        var id = Guid.CreateVersion7();
        using var references = new KnownReferences();
        (await ReadAsync(references, id)).ShouldBeFalse();

        await using (var session = Api.Store.LightweightSession())
        {
            session.Events.StartStream<Figure>(id, new FigureDefined(id, "Late", "deaths", "people", null, null));
            await session.SaveChangesAsync();
        }
        (await ReadAsync(references, id)).ShouldBeTrue();
        (await ReadAsync(references, Guid.CreateVersion7())).ShouldBeFalse();
    }

    private async Task<bool> ReadAsync(KnownReferences references, Guid figure)
    {
        await using var session = Api.Store.QuerySession();
        var reads = session.CreateBatchQuery();
        var found = references.FigureExistsAsync(reads, figure);
        await reads.Execute();
        return await found;
    }
}
