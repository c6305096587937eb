using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ClaimLedger.Figures;
using ClaimLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.IntegrationTests.Throughput.GroupCommit;

/// <summary>
/// Submissions that wait while a transaction is in flight are written together (group commit). To make a group form
/// on demand, a test holds a figure's lock from outside: the writers stop at it, and what arrives meanwhile queues.
/// </summary>
public class SubmissionGroupTests
{
    [Fact]
    public async Task Submissions_held_behind_a_figure_lock_are_written_together_each_with_its_own_answer()
    {
        await using var api = await LedgerApi.StartAsync("groups");
        var source = await api.Source();
        var figure = await api.Figure();
        using var sizes = new GroupSizes(api);

        Task<ApiResponse>[] good;
        Task<ApiResponse> badQuote, unknownFigure, noFigure;
        await using (await api.HoldFigureAsync(figure))
        {
            good = Enumerable.Range(0, 8).Select(i => api.Post("/api/claims", new
            {
                sourceId = source, quote = "242 victimes", attributedTo = "OSDH", figureId = figure,
                value = new { amount = 200 + i, bound = "at_least" },
            })).ToArray();
            badQuote = api.Post("/api/claims", new { sourceId = source, quote = "pas dans le texte", attributedTo = "OSDH", figureId = figure });
            unknownFigure = api.Post("/api/claims", new { sourceId = source, quote = "242 victimes", attributedTo = "OSDH", figureId = Guid.NewGuid() });
            noFigure = api.Post("/api/claims", new { sourceId = source, quote = "24 civils", attributedTo = "OSDH" });
            await Task.Delay(1000);
            good.ShouldAllBe(t => !t.IsCompleted); // every one waits for the figure
        }

        var answers = await Task.WhenAll(good);
        answers.ShouldAllBe(r => r.Status == 201);
        var ids = answers.Select(r => r.Json.GetProperty("id").GetGuid()).ToList();
        ids.Distinct().Count().ShouldBe(8);
        var amountOf = ids.Select((id, i) => (id, amount: 200m + i)).ToDictionary(x => x.id, x => x.amount);
        (await badQuote).ProblemField.ShouldBe("quote");
        (await badQuote).Status.ShouldBe(422);
        (await unknownFigure).Status.ShouldBe(422);
        (await unknownFigure).ProblemField.ShouldBe("figureId");
        (await noFigure).Status.ShouldBe(201);
        sizes.Largest.ShouldBeGreaterThan(1);

        // The picture (inline) and the history (the daemon, in sequence order) number the group's claims alike.
        var picture = (await api.Get($"/api/figures/{figure}")).Json;
        picture.GetProperty("revisionCount").GetInt64().ShouldBe(8);
        await api.WaitForProjectionsAsync();
        var revisions = (await api.Get($"/api/figures/{figure}/revisions")).Json.GetProperty("items").EnumerateArray().ToList();
        revisions.Select(r => r.GetProperty("revision").GetInt64()).ShouldBe([1, 2, 3, 4, 5, 6, 7, 8]);
        revisions.ShouldAllBe(r => r.GetProperty("change").GetString() == "claim_added");
        revisions.Select(r => r.GetProperty("claimId").GetGuid()).ShouldBe(ids, ignoreOrder: true);
        foreach (var r in revisions)
            r.GetProperty("value").GetProperty("amount").GetDecimal().ShouldBe(amountOf[r.GetProperty("claimId").GetGuid()]);
        var current = picture.GetProperty("current").EnumerateArray().Single();
        current.GetProperty("claimId").GetGuid().ShouldBe(revisions[^1].GetProperty("claimId").GetGuid());
        foreach (var id in ids) (await api.Get($"/api/claims/{id}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task Each_event_of_a_group_carries_the_name_of_whoever_submitted_it()
    {
        await using var api = await LedgerApi.StartAsync("groups");
        var source = await api.Source();
        var figure = await api.Figure();
        var writers = new[] { LedgerApi.Checker, LedgerApi.OtherChecker, LedgerApi.Reviewer };
        Task<ApiResponse>[] posts;
        await using (await api.HoldFigureAsync(figure))
        {
            posts = Enumerable.Range(0, 12).Select(i => api.Post("/api/claims", new
            {
                sourceId = source, quote = "242 victimes", attributedTo = $"originator {i}", figureId = figure,
                value = new { amount = 242, bound = "at_least" },
            }, writers[i % 3])).ToArray();
            await Task.Delay(1000);
        }
        var answers = await Task.WhenAll(posts);
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i].Status.ShouldBe(201, answers[i].Body);
            var events = (await api.Get($"/api/claims/{answers[i].Json.GetProperty("id").GetGuid()}/events", LedgerApi.Auditor)).Json;
            events[0].GetProperty("actor").GetString().ShouldBe(writers[i % 3]);
        }
    }

    [Fact]
    public async Task A_group_PostgreSQL_refuses_is_written_alone_and_only_the_refused_submission_fails()
    {
        await using var api = await LedgerApi.StartAsync("groups");
        var source = await api.Source();
        var figure = await api.Figure();
        await using (var conn = new NpgsqlConnection(api.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                create function claimledger.poison() returns trigger language plpgsql as $$
                begin if new.data->>'attributedTo' = 'poison' then raise exception 'poisoned'; end if; return new; end $$;
                create trigger poison before insert on claimledger.mt_events for each row execute function claimledger.poison();
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        object Body(string attributedTo) => new
        {
            sourceId = source, quote = "242 victimes", attributedTo, figureId = figure, value = new { amount = 242, bound = "at_least" },
        };

        var first = new List<Task<ApiResponse>>();
        var later = new List<Task<ApiResponse>>();
        Task<ApiResponse> poisoned;
        await using (await api.HoldFigureAsync(figure))
        {
            // The first arrivals occupy the writers at the lock; the poisoned one then waits in a group with others.
            first.AddRange(Enumerable.Range(0, 3).Select(i => api.Post("/api/claims", Body($"early {i}"))));
            await Task.Delay(500);
            later.AddRange(Enumerable.Range(0, 3).Select(i => api.Post("/api/claims", Body($"late {i}"))));
            poisoned = api.Post("/api/claims", Body("poison"));
            later.AddRange(Enumerable.Range(3, 3).Select(i => api.Post("/api/claims", Body($"late {i}"))));
            await Task.Delay(500);
        }

        var stored = await Task.WhenAll(first.Concat(later));
        stored.ShouldAllBe(r => r.Status == 201);
        (await poisoned).Status.ShouldBe(500);
        foreach (var r in stored) (await api.Get($"/api/claims/{r.Json.GetProperty("id").GetGuid()}")).Status.ShouldBe(200);
        var picture = (await api.Get($"/api/figures/{figure}")).Json;
        picture.GetProperty("revisionCount").GetInt64().ShouldBe(9);
        picture.GetProperty("current").GetArrayLength().ShouldBe(9);
        var verification = await api.Get("/api/audit/verify", LedgerApi.Auditor);
        verification.Json.GetProperty("ok").GetBoolean().ShouldBeTrue(verification.Body);
    }

    [Fact]
    public async Task With_no_group_writers_every_submission_is_written_alone()
    {
        await using var api = await LedgerApi.StartAsync("groups-off", new Dictionary<string, string>
        {
            ["ClaimLedger:Submissions:GroupWriters"] = "0",
        });
        var source = await api.Source();
        var figure = await api.Figure();
        using var sizes = new GroupSizes(api);
        Task<ApiResponse>[] posts;
        await using (await api.HoldFigureAsync(figure))
        {
            posts = Enumerable.Range(0, 6).Select(i => api.Post("/api/claims", new
            {
                sourceId = source, quote = "242 victimes", attributedTo = $"originator {i}", figureId = figure,
                value = new { amount = 242, bound = "at_least" },
            })).ToArray();
            await Task.Delay(500);
        }
        (await Task.WhenAll(posts)).ShouldAllBe(r => r.Status == 201);
        sizes.Count.ShouldBe(0);
        (await api.Get($"/api/figures/{figure}")).Json.GetProperty("revisionCount").GetInt64().ShouldBe(6);
    }

    /// <summary>Holds the figure's lock on a connection of its own until disposed.</summary>
    /// <summary>The sizes of the groups written while it listens.</summary>
    private sealed class GroupSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<int> _sizes = [];

        public GroupSizes(LedgerApi api)
        {
            var meter = api.Host.Services.GetRequiredService<SubmissionGroups>().Meter;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == meter) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<int>((_, size, _, _) => _sizes.Add(size));
            _listener.Start();
        }

        public int Count => _sizes.Count;
        public int Largest => _sizes.IsEmpty ? 0 : _sizes.Max();
        public void Dispose() => _listener.Dispose();
    }
}
