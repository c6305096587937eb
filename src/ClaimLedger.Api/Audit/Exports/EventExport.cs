using System.Buffers;
using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Hosting;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace ClaimLedger.Audit.Exports;

/// <summary>
/// Every event as one NDJSON line — <c>{sequence, leafIndex, leafHash, streamId, version, type, data, actor, recordedAt}</c>
/// — streamed from the database straight to the client, so memory stays flat however long the ledger. With a signed
/// checkpoint and the public key, the offline <c>verify</c> command checks it without the database.
/// </summary>
public static class EventExport
{
    [EndpointSummary("Export every event as NDJSON, with its leaf, in sequence order")]
    [WolverineGet("/api/export/events", Name = "ExportEvents"), Authorize(Policy = Policies.Audit)]
    [Tags("Export")]
    public static async Task Get(string? from, HttpContext http, NpgsqlDataSource dataSource)
    {
        var ct = http.RequestAborted;
        long start = 0;
        if (from != null && !long.TryParse(from, System.Globalization.NumberStyles.None, null, out start))
        {
            await Problems.Write(http, 400, Problems.TitleFor(400), "must be a whole number, 0 or more", "from");
            return;
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select e.seq_id, l.leaf_index, l.leaf_hash, e.stream_id, e.version, e.type, e.data::text, coalesce(e.user_name, ''), e.timestamp " +
            $"from {LedgerSchema.Events} e left join {LedgerSchema.Leaves} l on l.seq_id = e.seq_id where e.seq_id >= @from and e.{LedgerSchema.IsRecord} order by e.seq_id", conn);
        cmd.Parameters.AddWithValue("from", start);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/x-ndjson; charset=utf-8";
        var body = http.Response.BodyWriter;
        var lines = 0;
        await using (var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            while (await reader.ReadAsync(ct))
            {
                writer.WriteStartObject();
                writer.WriteNumber("sequence", reader.GetInt64(0));
                if (!await reader.IsDBNullAsync(1, ct))
                {
                    writer.WriteNumber("leafIndex", reader.GetInt64(1));
                    writer.WriteString("leafHash", LeafContent.Hex((byte[])reader[2]));
                }
                writer.WriteString("streamId", reader.GetGuid(3).ToString("D"));
                writer.WriteNumber("version", reader.GetInt64(4));
                writer.WriteString("type", reader.GetString(5));
                writer.WritePropertyName("data");
                writer.WriteRawValue(reader.GetString(6), skipInputValidation: true);
                writer.WriteString("actor", reader.GetString(7));
                writer.WriteString("recordedAt", LeafContent.FormatTime(reader.GetFieldValue<DateTimeOffset>(8)));
                writer.WriteEndObject();
                await writer.FlushAsync(ct);
                writer.Reset();
                body.Write("\n"u8);
                if (++lines % 500 == 0) await body.FlushAsync(ct);
            }
        }
        await body.FlushAsync(ct);
    }
}
