using ClaimLedger.Claims;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using ClaimLedger.Storage;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.IntegrationTests.Throughput.GroupCommit;

/// <summary>
/// A session whose COMMIT travels with its writes: saved, it has committed (before it is disposed); refused, it has
/// committed nothing, and its connection goes back to the pool fit for the next write.
/// </summary>
public class CommitWithTheWriteTests
{
    [Fact]
    public async Task A_save_commits_in_the_round_trip_that_writes()
    {
        var api = await LedgerApi.Shared();
        var stream = Guid.NewGuid();
        await using (var write = await CommitWithTheWrite.OpenAsync(api.Store, CancellationToken.None))
        {
            var sent = new SentStatements();
            write.Session.Logger = sent;
            write.Session.LastModifiedBy = "test";
            write.Session.Events.StartStream(stream, new ClaimRetracted("committed"));
            await write.Session.SaveChangesAsync();

            // (The inline projections read what they update first, in round trips of their own.)
            var save = sent.RoundTrips[^1];
            save.ShouldContain(s => s.Contains("mt_quick_append_events"));
            save[^1].ShouldBe("commit");
            // Seen from another connection while this one is still open: committed, not merely written.
            (await EventsIn(api, stream)).ShouldBe(1);
        }
        (await EventsIn(api, stream)).ShouldBe(1);
    }

    [Fact]
    public async Task A_refused_statement_commits_nothing_of_the_write_and_the_next_write_is_unharmed()
    {
        var api = await LedgerApi.Shared();
        var existing = Guid.NewGuid();
        await Write(api, s => s.Events.StartStream(existing, new ClaimRetracted("first")));

        var fresh = Guid.NewGuid();
        // The fresh stream is appended first; the second start collides with a stream that exists.
        await Should.ThrowAsync<Exception>(() => Write(api, s =>
        {
            s.Events.StartStream(fresh, new ClaimRetracted("lost with the write"));
            s.Events.StartStream(existing, new ClaimRetracted("collides"));
        }));
        (await EventsIn(api, fresh)).ShouldBe(0);
        (await EventsIn(api, existing)).ShouldBe(1);

        // Every pooled connection (the refused one among them) still writes and commits.
        var after = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(after.Select(id => Write(api, s => s.Events.StartStream(id, new ClaimRetracted("after")))));
        foreach (var id in after) (await EventsIn(api, id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_write_disposed_without_saving_leaves_nothing()
    {
        var api = await LedgerApi.Shared();
        var stream = Guid.NewGuid();
        await using (var write = await CommitWithTheWrite.OpenAsync(api.Store, CancellationToken.None))
        {
            write.Session.LastModifiedBy = "test";
            // Its transaction has begun and taken an id, as a group's reads do.
            await LedgerTransaction.BeginAsync(write.Session, CancellationToken.None);
            write.Session.Events.StartStream(stream, new ClaimRetracted("never saved"));
        }
        (await EventsIn(api, stream)).ShouldBe(0);
    }

    [Fact]
    public async Task A_second_save_is_refused_because_the_first_ended_the_transaction()
    {
        var api = await LedgerApi.Shared();
        await using var write = await CommitWithTheWrite.OpenAsync(api.Store, CancellationToken.None);
        write.Session.LastModifiedBy = "test";
        write.Session.Events.StartStream(Guid.NewGuid(), new ClaimRetracted("first"));
        await write.Session.SaveChangesAsync();

        var second = Guid.NewGuid();
        write.Session.Events.StartStream(second, new ClaimRetracted("second"));
        await Should.ThrowAsync<InvalidOperationException>(() => write.Session.SaveChangesAsync());
        (await EventsIn(api, second)).ShouldBe(0);
    }

    private static async Task Write(LedgerApi api, Action<IDocumentSession> append)
    {
        await using var write = await CommitWithTheWrite.OpenAsync(api.Store, CancellationToken.None);
        write.Session.LastModifiedBy = "test";
        append(write.Session);
        await write.Session.SaveChangesAsync();
    }

    private static Task<long> EventsIn(LedgerApi api, Guid stream) =>
        api.ScalarAsync("select count(*) from claimledger.mt_events where stream_id = @stream", ("stream", stream));
}
