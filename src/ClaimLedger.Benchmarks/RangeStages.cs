using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.Benchmarks;

/// <summary>
/// Where one shard's rebuild spent its time, stage by stage, from <see cref="RangePipeline"/>'s meter: a rebuild goes
/// as fast as its slower stage, the writer (PostgreSQL writing and committing a range) or the applier (this process
/// folding the next one), and the applier says whether it waited for events or for the writer.
/// </summary>
internal sealed class RangeStages : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, (int Count, double Milliseconds)> _stages = new();

    public RangeStages(string shard)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RangePipeline.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == RangePipeline.ShardTag && Equals(tag.Value, shard))
                    _stages.AddOrUpdate(instrument.Name, (1, value), (_, sum) => (sum.Count + 1, sum.Milliseconds + value));
        });
        _listener.Start();
    }

    /// <summary>How many ranges measured the stage (<c>applying</c>, <c>writing</c>, <c>waiting_for_events</c>, <c>waiting_for_writer</c>).</summary>
    public int Count(string stage) => _stages.GetValueOrDefault($"claimledger.projection.range.{stage}").Count;

    /// <summary>The stage's total, in seconds.</summary>
    public double Seconds(string stage) => _stages.GetValueOrDefault($"claimledger.projection.range.{stage}").Milliseconds / 1000;

    /// <summary>The stages' totals against the rebuild's length.</summary>
    public string Describe(TimeSpan length)
    {
        string S(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture);
        var writing = Seconds("writing");
        return $"stages: writing {S(writing)} s ({(writing / length.TotalSeconds).ToString("P0", CultureInfo.InvariantCulture)} of the rebuild), " +
               $"applying {S(Seconds("applying"))} s, the applier waiting {S(Seconds("waiting_for_events"))} s for events and {S(Seconds("waiting_for_writer"))} s for the writer";
    }

    public void Dispose() => _listener.Dispose();
}
