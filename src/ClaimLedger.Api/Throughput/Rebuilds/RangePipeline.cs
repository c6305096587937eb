using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.Events.Subscriptions;
using Marten;
using Marten.Events.Projections;

namespace ClaimLedger.Throughput.Rebuilds;

/// <summary>
/// Runs a daemon projection as Marten's own <see cref="ProjectionExecution{TOperations,TQuerySession}"/> does — each
/// range applied in a batch of its own, batches committed one at a time and in order, progress moved in the same
/// transaction — except that the next range is applied while the previous one is being written.
/// <para>
/// Why: Marten's execution applies a range, writes it, and only then asks for the next page, so reading events, applying
/// them and PostgreSQL writing the documents take turns. Here one range is being applied while one is being written, and
/// the agent keeps a page or two loaded ahead. Measured (docs/benchmarks.md, one <c>--rebuild --paths</c> run per
/// projection, the two paths alternating on one ledger): see <see cref="RebuildPath"/> for which projections run here and
/// the rates that decided it.
/// </para>
/// <para>
/// What it asks of the projection: a range is applied before the previous one has committed, so what the previous range
/// wrote is not yet visible to queries. The projection carries the documents of recent ranges in memory for exactly
/// that (<see cref="IFollowingRanges"/>), and starts again from what is stored whenever a range does not follow the last
/// one it applied (a shard started again after a failure resumes from the committed progress).
/// </para>
/// </summary>
public sealed class RangePipeline : ProjectionWrapper<IDocumentOperations, IQuerySession>, ISubscriptionFactory<IDocumentOperations, IQuerySession>
{
    /// <summary>
    /// Where each range's time goes, tagged with its shard (<c>projection</c>): which stage bounds a rebuild, the writer
    /// (PostgreSQL) or the applier (this process), and whether the applier waited for events or for the writer.
    /// </summary>
    public const string MeterName = "ClaimLedger.Projections";
    public const string ShardTag = "projection";

    private static readonly Meter Stages = new(MeterName);
    private static readonly Histogram<double> Applying = Stages.CreateHistogram<double>("claimledger.projection.range.applying", "ms",
        "Time to apply one range of events: the projection's folding and the serialising of its documents");
    private static readonly Histogram<double> Writing = Stages.CreateHistogram<double>("claimledger.projection.range.writing", "ms",
        "Time to write one applied range and commit it with the projection's progress");
    private static readonly Histogram<double> WaitingForEvents = Stages.CreateHistogram<double>("claimledger.projection.range.waiting_for_events", "ms",
        "Time the applier waited for the next range of events");
    private static readonly Histogram<double> WaitingForWriter = Stages.CreateHistogram<double>("claimledger.projection.range.waiting_for_writer", "ms",
        "Time an applied range waited for the writer to finish the range before it");

    private readonly IFollowingRanges _following;

    /// <summary>Runs <paramref name="projection"/> (inline, it is Marten's own) with its daemon ranges pipelined.</summary>
    public RangePipeline(IProjection projection, string name) : base(projection, ProjectionLifecycle.Async)
    {
        Name = name;
        _following = projection as IFollowingRanges ??
                     throw new ArgumentException($"{projection.GetType().Name} cannot apply a range before the one before it has committed", nameof(projection));
    }

    ISubscriptionExecution ISubscriptionFactory<IDocumentOperations, IQuerySession>.BuildExecution(
        IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILoggerFactory loggerFactory, ShardName shardName) =>
        new Execution(shardName, store, database, _following.ApplyFollowingAsync, Options, loggerFactory.CreateLogger<RangePipeline>());

    ISubscriptionExecution ISubscriptionFactory<IDocumentOperations, IQuerySession>.BuildExecution(
        IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILogger logger, ShardName shardName) =>
        new Execution(shardName, store, database, _following.ApplyFollowingAsync, Options, logger);

    /// <summary>Applies one range of events to a batch's session (the projection's documents, not yet written).</summary>
    internal delegate Task ApplyRange(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct);

    /// <summary>The pipelined execution of one shard (also for a projection that is not registered through this wrapper).</summary>
    internal sealed class Execution : ISubscriptionExecution
    {
        private readonly IEventStore<IDocumentOperations, IQuerySession> _store;
        private readonly IEventDatabase _database;
        private readonly ApplyRange _apply;
        private readonly AsyncOptions _options;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _cancellation = new();
        private readonly Channel<EventRange> _ranges = Channel.CreateUnbounded<EventRange>(new UnboundedChannelOptions { SingleReader = true });
        // One applied range waits here while the one before it is written.
        private readonly Channel<(EventRange Range, IProjectionBatch Batch)> _applied =
            Channel.CreateBounded<(EventRange, IProjectionBatch)>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        private readonly Task _applying, _writing;
        private volatile bool _draining, _failed;
        private readonly KeyValuePair<string, object?> _shardTag;

        public Execution(ShardName shardName, IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database,
            ApplyRange apply, AsyncOptions options, ILogger logger)
        {
            (ShardName, _store, _database, _apply, _options, _logger) = (shardName, store, database, apply, options, logger);
            _shardTag = new(ShardTag, shardName.Identity);
            _applying = Task.Run(ApplyLoopAsync);
            _writing = Task.Run(WriteLoopAsync);
        }

        public ShardName ShardName { get; }
        public ShardExecutionMode Mode { get; set; }

        public async ValueTask EnqueueAsync(EventPage page, ISubscriptionAgent subscriptionAgent)
        {
            if (_draining || _failed || _cancellation.IsCancellationRequested) return;
            await _ranges.Writer.WriteAsync(new EventRange(subscriptionAgent, page.Floor, page.Ceiling) { Events = page });
            // The agent loads a page only when a command reaches it. A buffered ceiling of 0 moves none of its markers; it
            // only makes the agent look again, and load the next page if its hopper has room.
            if (page.Count > 0) await subscriptionAgent.MarkRangeBufferedAsync(0);
        }

        private async Task ApplyLoopAsync()
        {
            try
            {
                var waiting = Stopwatch.GetTimestamp();
                await foreach (var range in _ranges.Reader.ReadAllAsync(_cancellation.Token))
                {
                    WaitingForEvents.Record(Stopwatch.GetElapsedTime(waiting).TotalMilliseconds, _shardTag);
                    await ApplyAndHandOffAsync(range);
                    waiting = Stopwatch.GetTimestamp();
                }
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested) { }
            finally
            {
                _applied.Writer.TryComplete();
            }
        }

        private async Task ApplyAndHandOffAsync(EventRange range)
        {
            // Stopping abandons the ranges not applied yet; the one applied is still written.
            if (_failed || _draining) return;
            if (await ApplyAsync(range) is not { } batch) return;
            var waiting = Stopwatch.GetTimestamp();
            try
            {
                await _applied.Writer.WriteAsync((range, batch), _cancellation.Token);
            }
            catch
            {
                await batch.DisposeAsync();
                throw;
            }
            WaitingForWriter.Record(Stopwatch.GetElapsedTime(waiting).TotalMilliseconds, _shardTag);
        }

        private async Task WriteLoopAsync()
        {
            try
            {
                await foreach (var (range, batch) in _applied.Reader.ReadAllAsync(_cancellation.Token))
                {
                    await using (batch)
                        if (!_failed) await WriteAsync(range, batch);
                }
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested) { }
            finally
            {
                // Batches applied but never written (the shard stopped or a range failed) still hold their sessions.
                while (_applied.Reader.TryRead(out var left)) await left.Batch.DisposeAsync();
            }
        }

        /// <summary>The range applied to a batch of its own, not yet written (null: it failed, and the agent was told).</summary>
        private async Task<IProjectionBatch?> ApplyAsync(EventRange range)
        {
            IProjectionBatch<IDocumentOperations, IQuerySession>? batch = null;
            var applying = Stopwatch.GetTimestamp();
            try
            {
                batch = await _store.StartProjectionBatchAsync(range, _database, Mode, _options, _cancellation.Token);
                foreach (var tenant in range.Events.GroupBy(e => e.TenantId))
                {
                    await using var session = batch.SessionForTenant(tenant.Key);
                    await _apply(session, tenant.ToList(), _cancellation.Token);
                }
                Applying.Record(Stopwatch.GetElapsedTime(applying).TotalMilliseconds, _shardTag);
                return batch;
            }
            catch (Exception e)
            {
                if (batch != null) await batch.DisposeAsync();
                await FailAsync(range, e, "applying");
                return null;
            }
        }

        private async Task WriteAsync(EventRange range, IProjectionBatch batch)
        {
            using var activity = range.Agent.Metrics.TrackExecution(range);
            var throttle = range.Agent.BatchWriteThrottle;
            try
            {
                if (throttle != null) await throttle.WaitAsync(_cancellation.Token);
                var writing = Stopwatch.GetTimestamp();
                try
                {
                    await batch.ExecuteAsync(_cancellation.Token);
                }
                finally
                {
                    throttle?.Release();
                }
                Writing.Record(Stopwatch.GetElapsedTime(writing).TotalMilliseconds, _shardTag);
                if (_cancellation.IsCancellationRequested) return;
                await range.Agent.MarkSuccessAsync(range.SequenceCeiling);
                range.Agent.Metrics.UpdateProcessed(range.Size);
            }
            catch (Exception e)
            {
                await FailAsync(range, e, "writing");
            }
        }

        /// <summary>
        /// Stops applying and writing (the ranges after a failed one were applied on top of it) and tells the agent, which
        /// pauses the shard as it does for Marten's own execution; started again, the shard resumes from the committed
        /// progress.
        /// </summary>
        private async Task FailAsync(EventRange range, Exception e, string stage)
        {
            _failed = true;
            if (_cancellation.IsCancellationRequested && CancellationExceptions.IsCancellationLike(e)) return;
            _logger.LogError(e, "Shard {Shard} failed {Stage} events {Floor} to {Ceiling}", ShardName.Identity, stage, range.SequenceFloor, range.SequenceCeiling);
            await range.Agent.ReportCriticalFailureAsync(e);
        }

        public async Task StopAndDrainAsync(CancellationToken token)
        {
            _draining = true;
            _ranges.Writer.TryComplete();
            try
            {
                await Task.WhenAll(_applying, _writing).WaitAsync(token);
            }
            finally
            {
                await _cancellation.CancelAsync();
            }
        }

        public async Task HardStopAsync()
        {
            await _cancellation.CancelAsync();
            _ranges.Writer.TryComplete();
        }

        // Not waiting for the loops: the agent disposes its execution from inside FailAsync, called by a loop.
        public ValueTask DisposeAsync() => new(HardStopAsync());

        // Used by a direct catch-up (no agent loop): one range, applied and written before returning.
        public Task ProcessImmediatelyAsync(SubscriptionAgent subscriptionAgent, EventPage events, CancellationToken cancellation) =>
            ProcessRangeAsync(new EventRange(subscriptionAgent, events.Floor, events.Ceiling) { Events = events });

        public async Task ProcessRangeAsync(EventRange range)
        {
            if (await ApplyAsync(range) is { } batch)
                await using (batch)
                    await WriteAsync(range, batch);
        }

        public bool TryBuildReplayExecutor([NotNullWhen(true)] out IReplayExecutor? executor)
        {
            executor = null;
            return false;
        }

        bool ISubscriptionExecution.TryGetAggregateCache<TId, TDoc>([NotNullWhen(true)] out IAggregateCaching<TId, TDoc>? caching)
        {
            caching = null;
            return false;
        }
    }
}

/// <summary>
/// A projection that can apply a daemon range before the ranges before it have committed: it carries what they left in
/// memory (<see cref="CarriedFigures"/>, <see cref="PipelinedSnapshot{TDoc}"/>) instead of reading it back.
/// </summary>
public interface IFollowingRanges
{
    Task ApplyFollowingAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct);
}
