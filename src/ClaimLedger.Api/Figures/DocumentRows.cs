using Marten;

namespace ClaimLedger.Figures;

/// <summary>
/// Writes many documents of one type in one statement, for the daemon's ranges. Marten stores each document with a
/// statement of its own; a range of the history is hundreds of revisions, entry changes and claims, and PostgreSQL then
/// spent more time starting statements than storing rows (a rebuild sent one statement per document per event). The rows
/// are the ones Marten writes (same table, same serializer, same columns), so Marten reads them back as its own. The rows
/// of one statement share one version (Marten's optimistic-concurrency token, unused by these documents): a random UUID
/// per row was a measurable share of the insert.
/// </summary>
internal static class DocumentRows
{
    /// <summary>Writes documents that may already be stored (a later range changes them again).</summary>
    public static void Upsert<T, TId>(IDocumentOperations operations, IReadOnlyCollection<T> documents, Func<T, TId> idOf) where T : notnull =>
        Write(operations, documents, idOf, "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, " +
            "mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified");

    /// <summary>
    /// Writes documents that are written once and never changed: one already stored under the same id fails the range
    /// (it is rolled back, and the shard pauses until it is started again) instead of being overwritten.
    /// </summary>
    public static void Insert<T, TId>(IDocumentOperations operations, IReadOnlyCollection<T> documents, Func<T, TId> idOf) where T : notnull =>
        Write(operations, documents, idOf, "");

    private static void Write<T, TId>(IDocumentOperations operations, IReadOnlyCollection<T> documents, Func<T, TId> idOf, string onConflict) where T : notnull
    {
        if (documents.Count == 0) return;
        var options = operations.DocumentStore.Options;
        var serializer = options.Serializer();
        var ids = new TId[documents.Count];
        var data = new string[documents.Count];
        var i = 0;
        foreach (var document in documents)
        {
            ids[i] = idOf(document);
            data[i++] = serializer.ToJson(document);
        }
        var idType = typeof(TId) == typeof(Guid) ? "uuid" : "varchar";
        operations.QueueSqlCommand(
            $"insert into {options.Schema.For<T>(true)} (id, data, mt_version, mt_dotnet_type, mt_last_modified) " +
            $"select row.id, row.data::jsonb, (select gen_random_uuid()), ?, transaction_timestamp() from unnest(?::{idType}[], ?::text[]) as row(id, data) " + onConflict,
            typeof(T).FullName!, ids, data);
    }
}
