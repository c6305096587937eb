using ClaimLedger.Claims;
using Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    /// <summary>The engine alone: Marten's appends with no projections, to new streams and to existing ones.</summary>
    private async Task<double> MartenAloneAsync()
    {
        await log.WriteLineAsync("3. Marten alone (no projections)");
        var bare = await BareMartenAsync();
        var newStreams = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, MartenNewStreamAsync);
        Add("Marten alone", "new streams (ClaimSubmitted), 8 writers", newStreams, "events/s");
        var streams = new Guid[8];
        for (var i = 0; i < 8; i++)
        {
            await using var s = bare.LightweightSession();
            streams[i] = s.Events.StartStream(BenchSubmitted).Id;
            await s.SaveChangesAsync();
        }
        var appends = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, async (w, i) =>
        {
            await using var session = bare.LightweightSession();
            session.LastModifiedBy = "bench";
            session.Events.Append(streams[w], new EvidenceAttached(Guid.NewGuid(), Guid.NewGuid(), null, null, Stance.Supports, $"n{i}"));
            await session.SaveChangesAsync();
            return 1;
        });
        Add("Marten alone", "appends to existing streams, 8 writers", appends, "events/s");
        return newStreams;
    }

    /// <summary>Marten alone's store: its own schema, the same events, no projections.</summary>
    private async Task<DocumentStore> BareMartenAsync()
    {
        var opts = new StoreOptions();
        opts.Connection(_cs);
        opts.DatabaseSchemaName = "bench_marten";
        opts.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsGuid;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.UseSystemTextJsonForSerialization(configure: JsonSetup.Configure);
        opts.Events.AddEventType<ClaimSubmitted>();
        opts.Events.AddEventType<EvidenceAttached>();
        var bare = _bare = new DocumentStore(opts);
        await bare.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return bare;
    }

    private static readonly ClaimSubmitted BenchSubmitted = Submitted(Guid.NewGuid(), Guid.NewGuid());

    /// <summary>Marten alone's unit of work: one new stream with one ClaimSubmitted, in its own session and transaction.</summary>
    private async Task<int> MartenNewStreamAsync(int writer, int iteration)
    {
        await using var session = _bare!.LightweightSession();
        session.LastModifiedBy = "bench";
        var id = Guid.CreateVersion7();
        session.Events.StartStream(id, BenchSubmitted with { ClaimId = id });
        await session.SaveChangesAsync();
        return 1;
    }

    private static ClaimSubmitted Submitted(Guid sourceId, Guid? figureId, decimal amount = 242, string attributedTo = "OSDH") =>
        new(Guid.CreateVersion7(), sourceId, "au moins 242 victimes depuis mercredi", new Quotes.QuoteAnchor(10, 47), attributedTo, figureId,
            new ClaimValue(amount, Bound.AtLeast), new DateTimeOffset(2024, 11, 27, 0, 0, 0, TimeSpan.Zero), null, null);
}
