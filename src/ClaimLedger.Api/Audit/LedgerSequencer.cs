using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using ClaimLedger.Throughput;
using ClaimLedger.Audit.Witnessing;

namespace ClaimLedger.Audit;

/// <summary>
/// Makes every event a leaf of the Merkle log, in global sequence order, with dense leaf indexes, and signs
/// checkpoints as the tree grows. One node runs it at a time (a PostgreSQL advisory lock elects it).
///
/// Commits land out of sequence order, so a gap in the sequence may be an event still in flight or a rolled-back
/// one. Every appending transaction takes its transaction id before it draws sequence numbers
/// (<see cref="LedgerTransaction"/>), so a gap below a visible event can only be filled by a transaction whose id is
/// lower than an id taken when that event was seen. The sequencer takes such an id with each read, and steps over a
/// gap only once every transaction below it has ended (the snapshot's xmin has passed it). A snapshot's list of
/// running transactions is not enough: it omits running transactions with ids above the last completed one.
/// It never skips an event that will commit, and the unique indexes make assigning one twice impossible.
/// </summary>
public sealed class LedgerSequencer(NpgsqlDataSource dataSource, CheckpointSigner signer, TimeProvider clock,
    IConfiguration configuration, CommitSignal commits, CheckpointSignal checkpoints, ILogger<LedgerSequencer> logger) : BackgroundService
{
    private readonly CommitSignal.Follower _commits = commits.Follow();
    private const long LeaderLock = 0x434C_5345_5155; // "CLSEQU"
    private readonly TimeSpan _poll = TimeSpan.FromMilliseconds(configuration.GetValue("ClaimLedger:Ledger:PollMilliseconds", 200));
    private readonly TimeSpan _checkpointEvery = TimeSpan.FromMilliseconds(configuration.GetValue("ClaimLedger:Ledger:CheckpointMilliseconds", 2000));
    private const int BatchSize = 5000;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var leader = await dataSource.OpenConnectionAsync(stop);
                await using (var lockCommand = new NpgsqlCommand("select pg_try_advisory_lock(@k)", leader))
                {
                    lockCommand.Parameters.AddWithValue("k", LeaderLock);
                    if (await lockCommand.ExecuteScalarAsync(stop) is not true)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), stop);
                        continue;
                    }
                }
                logger.LogInformation("This node sequences the ledger");
                var frontier = await Frontier.LoadAsync(dataSource, stop);
                while (!stop.IsCancellationRequested)
                {
                    var added = await StepAsync(frontier, stop);
                    await CheckpointIfDueAsync(frontier, stop);
                    // Straight on only through a backlog: under steady writes, a step per poll appends its leaves and
                    // rewrites the tree's edge once for many events instead of once for every few. Once this node's
                    // writes pause, their last events are sequenced at once (CommitSignal).
                    if (added < BatchSize) await _commits.WaitAsync(_poll, stop);
                    // Keep the leader connection honest: if PostgreSQL went away, start over.
                    await using var ping = new NpgsqlCommand("select 1", leader);
                    await ping.ExecuteScalarAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                logger.LogWarning(e, "The ledger sequencer stopped; it restarts in a moment");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { }
            }
        }
    }

    /// <summary>A gap below <see cref="Below"/> that a transaction with an id under <see cref="Bound"/> might still fill.</summary>
    private sealed record PendingGap(long Below, ulong Bound);

    private PendingGap? _gap;

    /// <summary>Assigns leaves to the events that follow the tree without a gap that could still fill; how many it added.</summary>
    public async Task<int> StepAsync(Frontier frontier, CancellationToken ct)
    {
        var rows = new List<(long Seq, LeafContent Content)>();
        string snapshot;
        ulong bound;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct))
        {
            await using (var snap = new NpgsqlCommand("select pg_current_snapshot()::text, pg_current_xact_id()::text", conn, tx))
            await using (var r = await snap.ExecuteReaderAsync(ct))
            {
                await r.ReadAsync(ct);
                snapshot = r.GetString(0);
                bound = ulong.Parse(r.GetString(1), CultureInfo.InvariantCulture);
            }
            await using var read = new NpgsqlCommand(
                $"select {LeafContent.EventColumns} from {LedgerSchema.Events} where seq_id > @after and {LedgerSchema.IsRecord} order by seq_id limit @n", conn, tx);
            read.Parameters.AddWithValue("after", frontier.LastSequence);
            read.Parameters.AddWithValue("n", BatchSize);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(LeafContent.Read(reader));
        }
        if (rows.Count == 0) return 0;

        var xmin = ulong.Parse(snapshot.Split(':')[0], CultureInfo.InvariantCulture);
        var taken = new List<(long Seq, LeafContent Content)>();
        var expected = frontier.LastSequence + 1;
        foreach (var row in rows)
        {
            if (row.Seq != expected && !GapIsClosed(row.Seq, xmin, bound)) break;
            taken.Add(row);
            expected = row.Seq + 1;
        }
        if (taken.Count == 0) return 0;
        if (_gap is { } pending && taken[^1].Seq >= pending.Below) _gap = null;
        await frontier.AppendAsync(dataSource, taken, ct);
        return taken.Count;
    }

    /// <summary>
    /// Whether the sequence numbers just below <paramref name="next"/> will never appear: no transaction that was running
    /// when <paramref name="next"/> was first seen is still running.
    /// </summary>
    private bool GapIsClosed(long next, ulong xmin, ulong bound)
    {
        if (_gap is { } gap && next <= gap.Below && xmin >= gap.Bound) return true;
        if (_gap is null || next > _gap.Below) _gap = new PendingGap(next, bound);
        return false;
    }

    private DateTimeOffset _lastCheckpointAt = DateTimeOffset.MinValue;

    private async Task CheckpointIfDueAsync(Frontier frontier, CancellationToken ct)
    {
        if (!signer.CanSign || frontier.Size == 0 || frontier.Size <= frontier.CheckpointedSize) return;
        var now = clock.GetUtcNow();
        if (now - _lastCheckpointAt < _checkpointEvery) return;
        await MakeCheckpointAsync(frontier, now, ct);
        _lastCheckpointAt = now;
    }

    public async Task<Checkpoint> MakeCheckpointAsync(Frontier frontier, DateTimeOffset now, CancellationToken ct)
    {
        // timestamptz keeps microseconds: sign exactly what will be read back.
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var checkpoint = signer.Sign(frontier.Size, frontier.Root(), at);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var insert = new NpgsqlCommand(
            $"insert into {LedgerSchema.Checkpoints} (tree_size, root_hash, recorded_at, signature, key_id, origin) values (@s, @r, @t, @g, @k, @o) on conflict (tree_size) do nothing", conn);
        insert.Parameters.AddWithValue("s", checkpoint.TreeSize);
        insert.Parameters.AddWithValue("r", Convert.FromHexString(checkpoint.RootHash));
        insert.Parameters.AddWithValue("t", checkpoint.RecordedAt);
        insert.Parameters.AddWithValue("g", Convert.FromBase64String(checkpoint.Signature));
        insert.Parameters.AddWithValue("k", checkpoint.KeyId);
        insert.Parameters.AddWithValue("o", checkpoint.Origin!);
        await insert.ExecuteNonQueryAsync(ct);
        frontier.CheckpointedSize = checkpoint.TreeSize;
        checkpoints.Signed();
        return checkpoint;
    }
}

/// <summary>The right edge of the tree: its size, the last sequence in it, and the perfect subtrees that make its root.</summary>
public sealed class Frontier
{
    public long Size { get; private set; }
    public long LastSequence { get; private set; }
    public long CheckpointedSize { get; set; }
    private readonly List<(int Level, long Index, byte[] Hash)> _edge = [];

    public static async Task<Frontier> LoadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var frontier = new Frontier();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using (var last = new NpgsqlCommand($"select leaf_index, seq_id from {LedgerSchema.Leaves} order by leaf_index desc limit 1", conn))
        await using (var reader = await last.ExecuteReaderAsync(ct))
            if (await reader.ReadAsync(ct)) { frontier.Size = reader.GetInt64(0) + 1; frontier.LastSequence = reader.GetInt64(1); }
        await using (var cp = new NpgsqlCommand($"select coalesce(max(tree_size), 0) from {LedgerSchema.Checkpoints}", conn))
            frontier.CheckpointedSize = (long)(await cp.ExecuteScalarAsync(ct))!;
        var store = new StoredTree(conn);
        long offset = 0;
        for (var level = 62; level >= 0; level--)
        {
            if ((frontier.Size & (1L << level)) == 0) continue;
            var index = offset >> level;
            frontier._edge.Add((level, index, await store.SubtreeAsync(level, index, ct)));
            offset += 1L << level;
        }
        return frontier;
    }

    public byte[] Root()
    {
        if (_edge.Count == 0) return MerkleTree.EmptyRoot;
        var root = _edge[^1].Hash;
        for (var i = _edge.Count - 2; i >= 0; i--) root = MerkleTree.NodeHash(_edge[i].Hash, root);
        return root;
    }

    /// <summary>Writes the leaves and the subtrees they complete, in one transaction (binary COPY).</summary>
    public async Task AppendAsync(NpgsqlDataSource dataSource, IReadOnlyList<(long Seq, LeafContent Content)> rows, CancellationToken ct)
    {
        var leaves = new List<(long Index, long Seq, LeafContent Content, byte[] Hash)>(rows.Count);
        var nodes = new List<(int Level, long Index, byte[] Hash)>();
        var edge = _edge.ToList();
        var size = Size;
        foreach (var (seq, content) in rows)
        {
            var hash = content.LeafHash();
            leaves.Add((size, seq, content, hash));
            edge.Add((0, size, hash));
            while (edge.Count >= 2 && edge[^1].Level == edge[^2].Level)
            {
                var right = edge[^1];
                var left = edge[^2];
                edge.RemoveRange(edge.Count - 2, 2);
                var parent = (left.Level + 1, left.Index / 2, MerkleTree.NodeHash(left.Hash, right.Hash));
                edge.Add(parent);
                nodes.Add(parent);
            }
            size++;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var copy = await conn.BeginBinaryImportAsync(
                         $"copy {LedgerSchema.Leaves} (leaf_index, seq_id, stream_id, version, leaf_hash) from stdin (format binary)", ct))
        {
            foreach (var leaf in leaves)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(leaf.Index, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(leaf.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(leaf.Content.StreamId, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(leaf.Content.Version, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(leaf.Hash, NpgsqlDbType.Bytea, ct);
            }
            await copy.CompleteAsync(ct);
        }
        if (nodes.Count > 0)
        {
            await using var copy = await conn.BeginBinaryImportAsync(
                $"copy {LedgerSchema.Nodes} (level, node_index, hash) from stdin (format binary)", ct);
            foreach (var node in nodes)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(node.Level, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(node.Index, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(node.Hash, NpgsqlDbType.Bytea, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await tx.CommitAsync(ct);

        _edge.Clear();
        _edge.AddRange(edge);
        Size = size;
        LastSequence = rows[^1].Seq;
    }
}

/// <summary>Reads perfect subtrees of the stored tree: leaves at level 0, nodes above.</summary>
public sealed class StoredTree(NpgsqlConnection connection)
{
    public async Task<byte[]> SubtreeAsync(int level, long index, CancellationToken ct)
    {
        await using var command = level == 0
            ? new NpgsqlCommand($"select leaf_hash from {LedgerSchema.Leaves} where leaf_index = @i", connection)
            : new NpgsqlCommand($"select hash from {LedgerSchema.Nodes} where level = @l and node_index = @i", connection);
        command.Parameters.AddWithValue("l", level);
        command.Parameters.AddWithValue("i", index);
        return (byte[]?)await command.ExecuteScalarAsync(ct)
               ?? throw new InvalidOperationException($"the ledger has no subtree at level {level}, index {index}");
    }

    /// <summary>
    /// Runs a tree computation with every subtree it needs loaded in one round trip: a first pass records which
    /// subtrees the computation reads, one query loads them, a second pass computes.
    /// </summary>
    public async Task<T> ComputeAsync<T>(Func<MerkleTree, T> compute, CancellationToken ct)
    {
        var needed = new HashSet<(int Level, long Index)>();
        compute(new MerkleTree((l, i) => { needed.Add((l, i)); return new byte[32]; }));
        var loaded = new Dictionary<(int, long), byte[]>();
        if (needed.Count > 0)
        {
            var leafIndexes = needed.Where(n => n.Level == 0).Select(n => n.Index).ToArray();
            var nodeLevels = needed.Where(n => n.Level > 0).Select(n => n.Level).ToArray();
            var nodeIndexes = needed.Where(n => n.Level > 0).Select(n => n.Index).ToArray();
            await using var command = new NpgsqlCommand(
                $"select 0, leaf_index, leaf_hash from {LedgerSchema.Leaves} where leaf_index = any(@leaves) " +
                $"union all select n.level, n.node_index, n.hash from {LedgerSchema.Nodes} n " +
                "join unnest(@levels, @indexes) as wanted(level, node_index) on wanted.level = n.level and wanted.node_index = n.node_index",
                connection);
            command.Parameters.AddWithValue("leaves", leafIndexes);
            command.Parameters.AddWithValue("levels", nodeLevels);
            command.Parameters.AddWithValue("indexes", nodeIndexes);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) loaded[(reader.GetInt32(0), reader.GetInt64(1))] = (byte[])reader[2];
        }
        return compute(new MerkleTree((l, i) => loaded.TryGetValue((l, i), out var h)
            ? h : throw new InvalidOperationException($"the ledger has no subtree at level {l}, index {i}")));
    }
}
