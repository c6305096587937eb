using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Storage;

namespace ClaimLedger.IntegrationTests.Storage;

public class LedgerTransactionTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    /// <summary>The sequencer relies on it: an appending session is inside one transaction that already has its id.</summary>
    [Fact]
    public async Task A_ledger_transaction_holds_one_transaction_id_from_its_start_to_its_commit()
    {
        await using var session = fixture.Api.Store.LightweightSession();
        await LedgerTransaction.BeginAsync(session, CancellationToken.None);
        async Task<string?> Xid()
        {
            await using var cmd = session.Connection!.CreateCommand();
            cmd.CommandText = "select pg_current_xact_id_if_assigned()::text";
            return (string?)await cmd.ExecuteScalarAsync();
        }
        var first = await Xid();
        first.ShouldNotBeNull();
        (await Xid()).ShouldBe(first);
    }
}

public class LedgerTransactionAppendTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Events_are_inserted_by_the_transaction_that_took_the_id_first()
    {
        await using var session = fixture.Api.Store.LightweightSession();
        session.LastModifiedBy = "test";
        await LedgerTransaction.BeginAsync(session, CancellationToken.None);
        await using var cmd = session.Connection!.CreateCommand();
        cmd.CommandText = "select pg_current_xact_id()::text";
        var xid = (string)(await cmd.ExecuteScalarAsync())!;
        var id = Guid.NewGuid();
        session.Events.StartStream(id, new ClaimLedger.Claims.ClaimRetracted("x"));
        await session.SaveChangesAsync();
        await using var conn = new Npgsql.NpgsqlConnection(fixture.Api.ConnectionString);
        await conn.OpenAsync();
        await using var q = new Npgsql.NpgsqlCommand("select xmin::text from claimledger.mt_events where stream_id = @s", conn);
        q.Parameters.AddWithValue("s", id);
        var rowXmin = (string)(await q.ExecuteScalarAsync())!;
        (ulong.Parse(xid) % (1UL << 32)).ToString().ShouldBe(rowXmin);
    }
}

public class ExclusiveFetchTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    /// <summary>
    /// A claim write relies on it (Claims.ClaimRequest): its exclusive load of the claim (SELECT … FOR UPDATE) takes the
    /// transaction's id, before any event draws a sequence number.
    /// </summary>
    [Fact]
    public async Task The_exclusive_fetch_of_a_claim_takes_the_transaction_id()
    {
        var claim = await fixture.Api.Claim();
        await using var session = fixture.Api.Store.LightweightSession();
        var stream = await session.Events.FetchForExclusiveWriting<ClaimLedger.Claims.Claim>(claim);
        stream.Aggregate.ShouldNotBeNull();
        await using var cmd = session.Connection!.CreateCommand();
        cmd.CommandText = "select pg_current_xact_id_if_assigned()::text";
        (await cmd.ExecuteScalarAsync()).ShouldBeOfType<string>();
    }

    /// <summary>What CommitsInDoubt asks about when a claim write's COMMIT goes unanswered: read with its events.</summary>
    [Fact]
    public async Task The_transaction_id_read_ahead_of_the_events_is_the_one_that_inserted_them()
    {
        var claim = await fixture.Api.Claim();
        await using var session = fixture.Api.Store.LightweightSession();
        session.LastModifiedBy = "test";
        var stream = await session.Events.FetchForExclusiveWriting<ClaimLedger.Claims.Claim>(claim);
        var id = TransactionIdAhead.Queue(session);
        stream.AppendOne(new ClaimLedger.Claims.ClaimRetracted("x"));
        await session.SaveChangesAsync();
        id.Id.ShouldNotBeNull();
        await using var conn = new Npgsql.NpgsqlConnection(fixture.Api.ConnectionString);
        await conn.OpenAsync();
        await using var q = new Npgsql.NpgsqlCommand(
            "select xmin::text from claimledger.mt_events where stream_id = @s order by version desc limit 1", conn);
        q.Parameters.AddWithValue("s", claim);
        (ulong.Parse(id.Id) % (1UL << 32)).ToString().ShouldBe((string)(await q.ExecuteScalarAsync())!);
    }
}
