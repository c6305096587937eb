using Marten;

namespace ClaimLedger.Throughput.Rebuilds;

/// <summary>
/// Writes many documents of one type in one statement, for the daemon's ranges. Marten stores each document with a
/// statement of its own; a range of the history is hundreds of revisions, entry changes and claims (and a range of a
/// claim rebuild hundreds of claims), and PostgreSQL then spent more time starting statements than storing rows. The rows
/// are the ones Marten writes (same table, same serializer, same columns), so Marten reads them back as its own. The rows
/// of one statement share one version (Marten's optimistic-concurrency token, unused by these documents): a random UUID
/// per row was a measurable share of the insert. An aggregate Marten versions by its stream (the claim) keeps its
/// stream's version instead.
/// </summary>
internal static class DocumentRows
{
    private const string Overwrite = "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, " +
        "mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified";

    /// <summary>Writes documents that may already be stored (a later range changes them again).</summary>
    public static void Upsert<T, TId>(IDocumentOperations operations, IReadOnlyCollection<T> documents, Func<T, TId> idOf) where T : notnull =>
        Write(operations, documents, idOf, null, Overwrite);

    /// <summary>
    /// Writes aggregates whose version column is their stream's version (Marten's <c>UseVersionFromMatchingStream</c>,
    /// which its single-stream projections set): the version after the last event folded, as Marten's own upsert writes it.
    /// </summary>
    public static void Upsert<T>(IDocumentOperations operations, IReadOnlyCollection<T> aggregates, Func<T, Guid> idOf, Func<T, long> streamVersionOf)
        where T : notnull =>
        Write(operations, aggregates, idOf, streamVersionOf, Overwrite);

    /// <summary>
    /// Writes documents that are written once and never changed: one already stored under the same id fails the range
    /// (it is rolled back, and the shard pauses until it is started again) instead of being overwritten.
    /// </summary>
    public static void Insert<T, TId>(IDocumentOperations operations, IReadOnlyCollection<T> documents, Func<T, TId> idOf) where T : notnull =>
        Write(operations, documents, idOf, null, "");

    private static void Write<T, TId>(IDocumentOperations operations, IReadOnlyCollection<T> documents, Func<T, TId> idOf,
        Func<T, long>? versionOf, string onConflict) where T : notnull
    {
        if (documents.Count == 0) return;
        var options = operations.DocumentStore.Options;
        var serializer = options.Serializer();
        var ids = new TId[documents.Count];
        var data = new string[documents.Count];
        var versions = versionOf is null ? null : new long[documents.Count];
        var i = 0;
        foreach (var document in documents)
        {
            ids[i] = idOf(document);
            if (versionOf != null) versions![i] = versionOf(document);
            data[i++] = serializer.ToJson(document);
        }
        var idType = typeof(TId) == typeof(Guid) ? "uuid" : "varchar";
        var (version, rows, parameters) = versions is null
            ? ("(select gen_random_uuid())", $"unnest(?::{idType}[], ?::text[]) as row(id, data)", new object[] { typeof(T).FullName!, ids, data })
            : ("row.version", $"unnest(?::{idType}[], ?::text[], ?::bigint[]) as row(id, data, version)", new object[] { typeof(T).FullName!, ids, data, versions });
        operations.QueueSqlCommand(
            $"insert into {options.Schema.For<T>(true)} (id, data, mt_version, mt_dotnet_type, mt_last_modified) " +
            $"select row.id, row.data::jsonb, {version}, ?, transaction_timestamp() from {rows} " + onConflict, parameters);
    }
}
