using Npgsql;

namespace ClaimLedger.Reliability;

/// <summary>Every projected document, to compare what was live with what a rebuild gives.</summary>
public static class ProjectionSnapshot
{
    public static readonly string[] Tables =
        ["mt_doc_claim", "mt_doc_source", "mt_doc_figure", "mt_doc_figurepicture", "mt_doc_figureclaim", "mt_doc_figurehistorypicture",
         "mt_doc_figurehistoryclaim", "mt_doc_figurerevision", "mt_doc_figureentrychange"];

    public static async Task<Dictionary<string, Dictionary<string, string>>> TakeAsync(string cs)
    {
        var result = new Dictionary<string, Dictionary<string, string>>();
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        foreach (var table in Tables)
        {
            var rows = new Dictionary<string, string>();
            await using var cmd = new NpgsqlCommand($"select id::text, data::text from claimledger.{table}", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetString(1);
            result[table] = rows;
        }
        return result;
    }

    public static IEnumerable<string> Compare(Dictionary<string, Dictionary<string, string>> live, Dictionary<string, Dictionary<string, string>> rebuilt)
    {
        foreach (var table in Tables)
        {
            if (live[table].Count != rebuilt[table].Count) yield return $"{table}: {live[table].Count} live, {rebuilt[table].Count} rebuilt";
            foreach (var (id, data) in live[table])
                if (!rebuilt[table].TryGetValue(id, out var again) || again != data) { yield return $"{table} {id} differs after a rebuild"; break; }
        }
    }
}
