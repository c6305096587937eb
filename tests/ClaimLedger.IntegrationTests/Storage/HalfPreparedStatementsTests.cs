using ClaimLedger.Claims;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using ClaimLedger.Storage;

namespace ClaimLedger.IntegrationTests.Storage;

/// <summary>
/// A statement PostgreSQL refuses while Npgsql prepares it must leave no connection out of step with the server
/// (<see cref="HalfPreparedStatements"/>): the writes after it are answered as they were stored, the reads after it read.
/// </summary>
public class HalfPreparedStatementsTests
{
    /// <summary>
    /// Pins the Npgsql bug the workaround exists for. When this fails, Npgsql no longer leaves the statement half
    /// prepared: <see cref="HalfPreparedStatements"/> can go.
    /// </summary>
    [Fact]
    public async Task Npgsql_leaves_a_statement_refused_at_bind_in_its_preparing_round_trip_half_prepared()
    {
        var server = await TestDatabase.ServerAsync();
        var settings = new NpgsqlConnectionStringBuilder(LedgerDatabase.Tuned(server)) { Pooling = false };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();

        // The second use prepares the statement; PostgreSQL refuses its Bind (the division is folded while planning with
        // the value, before the row description is sent).
        (await Divide(connection, 2)).ShouldBe(5);
        (await Should.ThrowAsync<PostgresException>(() => Divide(connection, 0))).SqlState.ShouldBe(PostgresErrorCodes.DivisionByZero);

        var outOfStep = await Should.ThrowAsync<Exception>(() => Divide(connection, 2));
        outOfStep.Message.ShouldContain("unexpected backend message");
    }

    [Fact]
    public async Task Writes_after_an_append_refused_while_being_prepared_are_answered_as_they_were_stored()
    {
        await using var api = await LedgerApi.StartAsync("halfprepared");
        var source = await api.Source();

        // Appends PostgreSQL refuses at Bind (its jsonb cannot hold \u0000), written through the store as no request can
        // now: on a fresh pool, the second refusal on a connection is the round trip that prepares Marten's append there.
        for (var i = 0; i < 30; i++)
            await Should.ThrowAsync<Exception>(async () =>
            {
                await using var session = api.Store.LightweightSession();
                session.LastModifiedBy = "test";
                session.Events.StartStream<Claim>(Guid.NewGuid(), new ClaimRetracted("a\u0000b"));
                await session.SaveChangesAsync();
            });

        // Group commits append with the same statement, and their COMMIT travels in the same round trip.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => api.Post("/api/claims", new
        {
            sourceId = source, quote = "au moins 242 victimes depuis mercredi", attributedTo = $"OSDH {i}", validFrom = "2024-11-27",
        })));
        answers.Where(a => a.Status != 201).ShouldBeEmpty();
        (await api.ScalarAsync("select count(*) from claimledger.mt_streams where type = 'claim'")).ShouldBe(40);
    }

    [Fact]
    public async Task A_read_refused_while_being_prepared_under_a_request_leaves_no_connection_out_of_step()
    {
        await using var api = await LedgerApi.StartAsync("halfpreparedread");
        var watch = api.Host.Services.GetRequiredService<HalfPreparedStatements>();
        (await Read(api, 2)).ShouldBe(5);
        // One after the other, the refusals take the pool's idle connections in turn, each twice or more: the second is
        // the round trip that prepares the statement there.
        for (var i = 0; i < 30; i++)
        {
            // Marten does not report a failed read outside a transaction: the request it escapes is watched.
            var refused = await Should.ThrowAsync<Exception>(() => watch.WatchAsync(new DefaultHttpContext(), async _ => await Read(api, 0)));
            HalfPreparedStatements.MayHaveLeftHalfPrepared(refused).ShouldBeTrue();
        }
        for (var i = 0; i < 30; i++) (await Read(api, 2)).ShouldBe(5);
    }

    private static async Task<int> Divide(NpgsqlConnection connection, int by)
    {
        await using var command = new NpgsqlCommand("select 10 / $1", connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = by });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A read through the API's store, one connection at a time (a query session opens one per query).</summary>
    private static async Task<int> Read(LedgerApi api, int by)
    {
        await using var session = api.Store.QuerySession();
        return (await session.QueryAsync<int>("select 10 / ?", by)).Single();
    }
}
