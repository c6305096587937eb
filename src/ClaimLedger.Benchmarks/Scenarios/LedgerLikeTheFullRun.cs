using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Sources;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>
    /// The full run's ledger without its measurements (for <c>--rebuild</c>): in full mode about 250,000 submissions over
    /// 16 figures and 5 originators (what its HTTP rows write), 20,000 pieces of evidence on them, a figure with 100,000
    /// claims and a claim with 10,000 events (its read fixtures). Smaller modes scale it down.
    /// </summary>
    private async Task SeedLikeTheFullRunAsync()
    {
        var submissions = mode.PictureSizes[^1] * 5 / 2;
        var evidence = submissions / 12;
        await log.WriteLineAsync("Seeding a ledger like the full run's");
        var source = Guid.CreateVersion7();
        var figures = Enumerable.Range(0, 16).Select(_ => Guid.CreateVersion7()).ToArray();
        await using (var s = _store.LightweightSession())
        {
            s.Events.StartStream<Source>(source, new SourceRegistered(source, "Bench", "Bench", null, "fr", DateTimeOffset.UtcNow, null, null));
            for (var f = 0; f < figures.Length; f++)
                s.Events.StartStream<Figure>(figures[f], new FigureDefined(figures[f], $"Bench {f}", "deaths", "people", null, null));
            await s.SaveChangesAsync();
        }
        var claims = new List<Guid>();
        await WriteInBatchesAsync(0, submissions, 500, (s, from, to) =>
        {
            for (var done = from; done < to; done++)
            {
                var e = Submitted(source, figures[done % figures.Length], 242 + done, $"originator {done % 5}");
                s.Events.StartStream<Claim>(e.ClaimId, e);
                claims.Add(e.ClaimId);
            }
            return Task.CompletedTask;
        });
        // Random claims, each at most once in a transaction.
        await WriteInBatchesAsync(0, evidence, 500, (s, from, to) =>
        {
            var picked = new HashSet<Guid>();
            for (var done = from; done < to; done++)
            {
                Guid claim;
                do claim = claims[_random.Next(claims.Count)]; while (!picked.Add(claim));
                s.Events.Append(claim, new EvidenceAttached(Guid.NewGuid(), source, null, null, Stance.Supports, $"note {done}"));
            }
            return Task.CompletedTask;
        });
        await FigureWithClaimsAsync(source, mode.PictureSizes[^1]);
        await ClaimWithEventsAsync(source, mode.ClaimHistories[^1]);
    }
}
