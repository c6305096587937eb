using ClaimLedger.Claims;
using ClaimLedger.Storage;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>A claim as of a random version, for each of the mode's history lengths.</summary>
    private async Task ClaimHistoryReadsAsync(Guid source)
    {
        foreach (var events in mode.ClaimHistories)
        {
            var claim = await ClaimWithEventsAsync(source, events);
            await QuiesceAsync();
            var random = new Random(events);
            var asOf = await Measure.LatencyAsync(mode.Samples, async _ => await GetAsync($"/api/claims/{claim}?version={random.Next(1, events + 1)}"));
            var claimFloor = await Measure.LatencyAsync(mode.Samples, async _ => await RawSelectAsync("mt_doc_claim", claim));
            Add("Reads", $"claim as of a random version, {events:N0} events, p50", asOf.P50, "ms", note: $"÷ raw SELECT = {asOf.P50 / claimFloor.P50:0.0}");
            Add("Reads", $"claim as of a random version, {events:N0} events, p99", asOf.P99, "ms");
        }
    }

    private async Task<Guid> ClaimWithEventsAsync(Guid source, int events)
    {
        var claim = Guid.CreateVersion7();
        await using (var s = _store.LightweightSession())
        {
            s.LastModifiedBy = "bench";
            await LedgerTransaction.BeginAsync(s, CancellationToken.None);
            s.Events.StartStream<Claim>(claim, Submitted(source, null) with { ClaimId = claim, Value = null });
            await s.SaveChangesAsync();
        }
        await WriteInBatchesAsync(1, events, 1000, async (s, from, to) =>
        {
            var stream = await s.Events.FetchForWriting<Claim>(claim);
            for (var done = from; done < to; done++)
                stream.AppendOne(new EvidenceAttached(Guid.NewGuid(), source, null, null, Stance.Supports, $"note {done}"));
        });
        return claim;
    }
}
