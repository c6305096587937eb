using Marten;
using Weasel.Postgresql.Tables;

namespace ClaimLedger.Audit;

/// <summary>
/// The transparency log's own tables, created and migrated with Marten's schema: leaves (one per event, dense index),
/// the perfect subtrees above them, and the signed checkpoints.
/// </summary>
public static class LedgerSchema
{
    public const string Schema = "claimledger";
    public const string Leaves = Schema + ".ledger_leaves";
    public const string Nodes = Schema + ".ledger_nodes";
    public const string Checkpoints = Schema + ".ledger_checkpoints";
    public const string Events = Schema + ".mt_events";

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

        opts.Storage.ExtendedSchemaObjects.Add(leaves);
        opts.Storage.ExtendedSchemaObjects.Add(nodes);
        opts.Storage.ExtendedSchemaObjects.Add(checkpoints);
    }
}
