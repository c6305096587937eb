using ClaimLedger.Audit.Witnessing;
using Npgsql;

namespace ClaimLedger.Audit;

public sealed record BrokenLeaf(long? LeafIndex, Guid? StreamId, long? Version, string Reason);

public sealed record VerificationReport(bool Ok, long EventsChecked, long TreeSize, BrokenLeaf? FirstBroken, Checkpoint? Checkpoint)
{
    /// <summary>What each configured witness last said of this log's checkpoints; a refusal fails the report.</summary>
    public IReadOnlyList<WitnessReport>? Witnesses { get; init; }
}

/// <summary>One leaf as the verifier sees it: what the tree says, and what the event says now.</summary>
public sealed record LeafEvidence(long LeafIndex, long Sequence, Guid StreamId, long Version, byte[] StoredHash);

/// <summary>
/// Recomputes the tree from the events themselves and holds every claim of the log against it: each leaf's hash
/// against its event, every event against the tree, and every checkpoint's root and signature against the
/// recomputed roots. Shared by the API (from the database) and the offline command (from an export).
/// </summary>
public sealed class TreeRecomputation(IReadOnlyList<Checkpoint> checkpoints, CheckpointKeys keys)
{
    private readonly List<(int Level, long Index, byte[] Hash)> _edge = [];
    private int _nextCheckpoint;
    public long Size { get; private set; }
    public BrokenLeaf? FirstBroken { get; private set; }
    public Checkpoint? LastVerifiedCheckpoint { get; private set; }

    public void Break(BrokenLeaf broken) => FirstBroken ??= broken;

    /// <summary>Adds the next leaf (recomputed from its event) and checks any checkpoint that ends here.</summary>
    public void Add(byte[] leafHash)
    {
        _edge.Add((0, Size, leafHash));
        while (_edge.Count >= 2 && _edge[^1].Level == _edge[^2].Level)
        {
            var right = _edge[^1];
            var left = _edge[^2];
            _edge.RemoveRange(_edge.Count - 2, 2);
            _edge.Add((left.Level + 1, left.Index / 2, MerkleTree.NodeHash(left.Hash, right.Hash)));
        }
        Size++;
        while (_nextCheckpoint < checkpoints.Count && checkpoints[_nextCheckpoint].TreeSize == Size)
            Check(checkpoints[_nextCheckpoint++]);
    }

    /// <summary>Checkpoints past the recomputed tree claim leaves that are not there.</summary>
    public void Finish()
    {
        while (_nextCheckpoint < checkpoints.Count)
        {
            var c = checkpoints[_nextCheckpoint++];
            Break(new BrokenLeaf(Size, null, null, $"the checkpoint of tree size {c.TreeSize} covers leaves that are missing (the tree has {Size})"));
        }
    }

    private void Check(Checkpoint checkpoint)
    {
        var root = Root();
        if (!string.Equals(LeafContent.Hex(root), checkpoint.RootHash, StringComparison.OrdinalIgnoreCase))
            Break(new BrokenLeaf(null, null, null,
                $"the signed checkpoint of tree size {checkpoint.TreeSize} has root {checkpoint.RootHash}, the events give {LeafContent.Hex(root)}"));
        else if (!keys.Verifies(checkpoint))
            Break(new BrokenLeaf(null, null, null, $"the checkpoint of tree size {checkpoint.TreeSize} does not carry a valid signature of key {checkpoint.KeyId}"));
        else LastVerifiedCheckpoint = checkpoint;
    }

    private byte[] Root()
    {
        if (_edge.Count == 0) return MerkleTree.EmptyRoot;
        var root = _edge[^1].Hash;
        for (var i = _edge.Count - 2; i >= 0; i--) root = MerkleTree.NodeHash(_edge[i].Hash, root);
        return root;
    }
}

/// <summary>Verifies the ledger in the database.</summary>
public sealed class LedgerVerifier(NpgsqlDataSource dataSource, CheckpointSigner signer, WitnessReports? witnesses = null)
{
    public async Task<VerificationReport> VerifyAsync(long? from, long? to, CancellationToken ct)
    {
        var checkpoints = await CheckpointsAsync(ct);
        var recomputation = new TreeRecomputation(checkpoints, signer.Keys);
        long checkedEvents = 0;

        await using var leavesConn = await dataSource.OpenConnectionAsync(ct);
        await using var eventsConn = await dataSource.OpenConnectionAsync(ct);
        await using var leavesTx = await leavesConn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var leavesCmd = new NpgsqlCommand(
            $"select leaf_index, seq_id, stream_id, version, leaf_hash from {LedgerSchema.Leaves} order by leaf_index", leavesConn, leavesTx);
        await using var eventsCmd = new NpgsqlCommand(
            $"select {LeafContent.EventColumnsWithUtf8Data} from {LedgerSchema.Events} where seq_id >= @from and seq_id <= @to and {LedgerSchema.IsRecord} order by seq_id", eventsConn);
        eventsCmd.Parameters.AddWithValue("from", from ?? 0);
        eventsCmd.Parameters.AddWithValue("to", to ?? long.MaxValue);
        await using var leaves = await leavesCmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        await using var eventReader = await eventsCmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        var events = new HashedEvents(eventReader);

        var pending = await events.NextAsync(ct);
        long expectedIndex = 0, lastLeafSeq = 0;
        while (await leaves.ReadAsync(ct))
        {
            var leaf = new LeafEvidence(leaves.GetInt64(0), leaves.GetInt64(1), leaves.GetGuid(2), leaves.GetInt64(3), (byte[])leaves[4]);
            if (leaf.LeafIndex != expectedIndex)
                recomputation.Break(new BrokenLeaf(expectedIndex, leaf.StreamId, leaf.Version, $"leaf {expectedIndex} is missing from the tree (the next is {leaf.LeafIndex})"));
            if (leaf.Sequence <= lastLeafSeq)
                recomputation.Break(new BrokenLeaf(leaf.LeafIndex, leaf.StreamId, leaf.Version, "the leaf is out of sequence order"));
            lastLeafSeq = leaf.Sequence;
            expectedIndex = leaf.LeafIndex + 1;

            // Events before this leaf's that the tree does not hold were slipped in, or never made it into the tree.
            while (pending is { } early && early.Seq < leaf.Sequence)
            {
                recomputation.Break(new BrokenLeaf(leaf.LeafIndex, early.StreamId, early.Version,
                    $"the event at sequence {early.Seq} is not in the tree (inserted, or never sequenced)"));
                checkedEvents++;
                pending = await events.NextAsync(ct);
            }

            var inRange = leaf.Sequence >= (from ?? 0) && leaf.Sequence <= (to ?? long.MaxValue);
            if (!inRange)
            {
                recomputation.Add(leaf.StoredHash); // outside the range asked for: taken as stored
                continue;
            }
            if (pending is not { } current || current.Seq != leaf.Sequence)
            {
                recomputation.Break(new BrokenLeaf(leaf.LeafIndex, leaf.StreamId, leaf.Version, $"the event at sequence {leaf.Sequence} was deleted"));
                recomputation.Add(leaf.StoredHash);
                continue;
            }
            checkedEvents++;
            var hash = current.LeafHash;
            if (current.StreamId != leaf.StreamId || current.Version != leaf.Version)
                recomputation.Break(new BrokenLeaf(leaf.LeafIndex, current.StreamId, current.Version,
                    $"the event at sequence {leaf.Sequence} was moved: the tree holds {leaf.StreamId} version {leaf.Version} there"));
            else if (!hash.AsSpan().SequenceEqual(leaf.StoredHash))
                recomputation.Break(new BrokenLeaf(leaf.LeafIndex, leaf.StreamId, leaf.Version, "the event was changed: its hash no longer matches its leaf"));
            recomputation.Add(hash);
            pending = await events.NextAsync(ct);
        }
        // What follows the last leaf is waiting for the sequencer, not broken.
        recomputation.Finish();
        var witnessed = witnesses is null ? null : await witnesses.ReadAsync(ct);
        return new VerificationReport(recomputation.FirstBroken is null && witnessed?.All(w => w.Ok) != false, checkedEvents, recomputation.Size,
            recomputation.FirstBroken, recomputation.LastVerifiedCheckpoint ?? checkpoints.LastOrDefault()) { Witnesses = witnessed };
    }

    /// <summary>
    /// How many events the verifier reads and hashes at a time, in two pages it reuses (one read while the other is
    /// hashed). A page stays under the large object heap's 85,000 bytes: pages of 2,048 rows, a new one each time, made
    /// every pass of <c>--verify</c> run 20–30 gen-2 collections.
    /// </summary>
    internal const int PageSize = 1024;

    /// <summary>The bytes of one page of rows as read, which <see cref="PageSize"/> keeps under the large object heap's threshold.</summary>
    internal static int PageBytes => System.Runtime.CompilerServices.Unsafe.SizeOf<ReadEvent>() * PageSize;

    /// <summary>An event as read, with the leaf hash recomputed from it.</summary>
    private readonly record struct HashedEvent(long Seq, Guid StreamId, long Version, byte[] LeafHash);

    /// <summary>An event as read (<see cref="LeafContent.EventColumnsWithUtf8Data"/>), its data as UTF-8.</summary>
    private readonly record struct ReadEvent(long Seq, Guid StreamId, long Version, string Type, byte[] Data, string Actor, DateTimeOffset RecordedAt)
    {
        public static ReadEvent Of(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
            reader.GetFieldValue<byte[]>(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6));

        /// <summary>The leaf hash, with the time written here, on every core, rather than by the one reader.</summary>
        public HashedEvent Hashed() => new(Seq, StreamId, Version,
            LeafContent.LeafHashOf(StreamId, Version, Type, Data, Actor, LeafContent.FormatTime(RecordedAt)));
    }

    /// <summary>
    /// The events in sequence order, hashed a page at a time on every core while the next page is read: hashing (JSON
    /// parsing, canonical form, SHA-256) is what bounds verification, and each leaf's hash depends on its event alone.
    /// </summary>
    private sealed class HashedEvents(NpgsqlDataReader reader)
    {
        private ReadEvent[] _read = new ReadEvent[PageSize], _spare = new ReadEvent[PageSize];
        private readonly HashedEvent[] _page = new HashedEvent[PageSize];
        private Task<int>? _nextPage;
        private int _count, _position;

        public async Task<HashedEvent?> NextAsync(CancellationToken ct)
        {
            if (_position == _count)
            {
                var count = await (_nextPage ?? ReadPageAsync(_read, ct));
                if (count == 0) return null;
                var rows = _read;
                (_read, _spare) = (_spare, _read);
                _nextPage = ReadPageAsync(_read, ct);
                Parallel.For(0, count, i => _page[i] = rows[i].Hashed());
                // Hashed, the rows' data can go at the next collection rather than when this array is filled again.
                Array.Clear(rows, 0, count);
                (_count, _position) = (count, 0);
            }
            return _page[_position++];
        }

        private async Task<int> ReadPageAsync(ReadEvent[] rows, CancellationToken ct)
        {
            var count = 0;
            while (count < rows.Length && await reader.ReadAsync(ct)) rows[count++] = ReadEvent.Of(reader);
            return count;
        }
    }

    /// <summary>
    /// The stored checkpoints, oldest first, each signed as a note with its note and cosignatures. <paramref name="size"/>
    /// picks one; <paramref name="notesOnly"/> leaves out those signed before the switch to signed notes.
    /// </summary>
    public async Task<List<Checkpoint>> CheckpointsAsync(CancellationToken ct, bool latestOnly = false, long? size = null, bool notesOnly = false,
        long? after = null, int? limit = null)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select k.tree_size, k.root_hash, k.recorded_at, k.signature, k.key_id, k.origin, " +
            $"array(select c.line from {LedgerSchema.Cosignatures} c where c.tree_size = k.tree_size order by c.witness) " +
            $"from {LedgerSchema.Checkpoints} k where (@size::bigint is null or k.tree_size = @size) and (not @notes or k.origin is not null) " +
            "and (@after::bigint is null or k.tree_size > @after) " +
            "order by k.tree_size" + (latestOnly ? " desc limit 1" : limit is { } n ? $" limit {n}" : ""), conn);
        cmd.Parameters.AddWithValue("size", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)size ?? DBNull.Value);
        cmd.Parameters.AddWithValue("after", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)after ?? DBNull.Value);
        cmd.Parameters.AddWithValue("notes", notesOnly);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Checkpoint>();
        while (await reader.ReadAsync(ct))
        {
            var checkpoint = new Checkpoint(reader.GetInt64(0), LeafContent.Hex((byte[])reader[1]), reader.GetFieldValue<DateTimeOffset>(2),
                Convert.ToBase64String((byte[])reader[3]), reader.GetString(4)) { Origin = reader.IsDBNull(5) ? null : reader.GetString(5) };
            list.Add(checkpoint with { Note = checkpoint.NoteWith(reader.GetFieldValue<string[]>(6)) });
        }
        return list;
    }

    public async Task<long> TreeSizeAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"select coalesce(max(leaf_index) + 1, 0) from {LedgerSchema.Leaves}", conn);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
