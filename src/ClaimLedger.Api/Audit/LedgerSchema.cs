using Marten;
using Weasel.Postgresql.Tables;

namespace ClaimLedger.Audit;

/// <summary>
/// The transparency log's own tables, created and migrated with Marten's schema: leaves (one per event, dense index),
/// the perfect subtrees above them, the signed checkpoints and their witnesses' cosignatures; and, as a witness of
/// other logs, what it has cosigned.
/// </summary>
public static class LedgerSchema
{
    public const string Schema = "claimledger";
    public const string Leaves = Schema + ".ledger_leaves";
    public const string Nodes = Schema + ".ledger_nodes";
    public const string Checkpoints = Schema + ".ledger_checkpoints";
    public const string Events = Schema + ".mt_events";
    public const string Cosignatures = Schema + ".ledger_cosignatures";
    public const string Witnesses = Schema + ".ledger_witnesses";
    public const string WitnessedLogs = Schema + ".witnessed_logs";

    /// <summary>
    /// The events that are records: when an append fails after drawing sequence numbers, Marten fills them with placeholder
    /// events of its own (<see cref="JasperFx.Events.Tombstone"/>: no data, no actor, no time) so that its daemon need not
    /// wait on the gap. They record nothing, so they are never leaves, never exported and never expected in the tree.
    /// </summary>
    public static readonly string IsRecord = $"type <> '{JasperFx.Events.Tombstone.Name}'";

    /// <summary>
    /// How many event sequence numbers the leaves trail the event store by (0: caught up). Leaves are appended in sequence
    /// order, so the ledger has caught up when the last record is a leaf: two backward index lookups, cheap enough to poll.
    /// </summary>
    public static readonly string LagSql =
        $"select (select coalesce(max(seq_id), 0) from {Events} where {IsRecord}) - (select coalesce(max(seq_id), 0) from {Leaves})";

    public static void ConfigureLedger(this StoreOptions opts)
    {
        var leaves = new Table($"{Schema}.ledger_leaves");
        leaves.AddColumn<long>("leaf_index").AsPrimaryKey();
        leaves.AddColumn<long>("seq_id").NotNull().AddIndex(i => i.IsUnique = true);
        leaves.AddColumn<Guid>("stream_id").NotNull();
        leaves.AddColumn<long>("version").NotNull();
        leaves.AddColumn("leaf_hash", "bytea").NotNull();

        var nodes = new Table($"{Schema}.ledger_nodes");
        nodes.AddColumn<int>("level").AsPrimaryKey();
        nodes.AddColumn<long>("node_index").AsPrimaryKey();
        nodes.AddColumn("hash", "bytea").NotNull();

        var checkpoints = new Table($"{Schema}.ledger_checkpoints");
        checkpoints.AddColumn<long>("tree_size").AsPrimaryKey();
        checkpoints.AddColumn("root_hash", "bytea").NotNull();
        checkpoints.AddColumn("recorded_at", "timestamptz").NotNull();
        checkpoints.AddColumn("signature", "bytea").NotNull();
        checkpoints.AddColumn<string>("key_id").NotNull();
        // The note's origin: set on every checkpoint signed as a note (Ed25519); null on those signed before (P-256).
        checkpoints.AddColumn<string>("origin");

        // The witnesses' cosignature lines on this log's checkpoints, and what each witness said last.
        var cosignatures = new Table(Cosignatures);
        cosignatures.AddColumn<long>("tree_size").AsPrimaryKey();
        cosignatures.AddColumn<string>("witness").AsPrimaryKey();
        cosignatures.AddColumn<string>("line").NotNull();
        var witnesses = new Table(Witnesses);
        witnesses.AddColumn<string>("witness").AsPrimaryKey();
        witnesses.AddColumn<long>("tree_size").NotNull();
        witnesses.AddColumn<bool>("ok").NotNull();
        witnesses.AddColumn<string>("reason");
        witnesses.AddColumn("checked_at", "timestamptz").NotNull();

        // As a witness of other logs: the latest checkpoint cosigned for each origin.
        var witnessed = new Table(WitnessedLogs);
        witnessed.AddColumn<string>("origin").AsPrimaryKey();
        witnessed.AddColumn<long>("tree_size").NotNull();
        witnessed.AddColumn("root_hash", "bytea").NotNull();
        witnessed.AddColumn("cosigned_at", "timestamptz").NotNull();

        opts.Storage.ExtendedSchemaObjects.Add(leaves);
        opts.Storage.ExtendedSchemaObjects.Add(nodes);
        opts.Storage.ExtendedSchemaObjects.Add(checkpoints);
        opts.Storage.ExtendedSchemaObjects.Add(cosignatures);
        opts.Storage.ExtendedSchemaObjects.Add(witnesses);
        opts.Storage.ExtendedSchemaObjects.Add(witnessed);
    }
}
