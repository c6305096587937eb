using System.Buffers;
using System.Text.Json;
using ClaimLedger.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Npgsql;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Audit.Exports;

/// <summary>
/// Every event as one NDJSON line — <c>{sequence, leafIndex, leafHash, streamId, version, type, data, actor, recordedAt}</c>
/// — in sequence order. With a signed checkpoint and the public key, the offline <c>verify</c> command checks it without
/// the database.
/// </summary>
/// <remarks>
/// The export is read a page at a time, each page on a pooled connection held only while the page is read; the page is
/// then written to the client with no connection held. A client that reads slowly (or stops) keeps a page in memory, not
/// a connection: stalled exports cannot drain the pool that every other request needs.
/// </remarks>
public static class EventExport
{
    /// <summary>At most this many events a page…</summary>
    public const int PageRows = 2_000;

    /// <summary>…and at most this much event data as stored (a page holds at least one event, however large).</summary>
    public const long PageBytes = 4 * 1024 * 1024;

    [EndpointSummary("Export every event as NDJSON, with its leaf, in sequence order")]
    [WolverineGet("/api/export/events", Name = "ExportEvents"), Authorize(Policy = Policies.Audit)]
    [EnableRateLimiting(RateLimits.ExportPolicy)]
    [Tags("Export")]
    public static async Task Get(string? from, HttpContext http, NpgsqlDataSource dataSource)
    {
        var ct = http.RequestAborted;
        long next = 0;
        if (from != null && !long.TryParse(from, System.Globalization.NumberStyles.None, null, out next))
        {
            await Problems.Write(http, 400, Problems.TitleFor(400), "must be a whole number, 0 or more", "from");
            return;
        }
        var (last, sequenced) = await BoundsAsync(dataSource, ct);

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/x-ndjson; charset=utf-8";
        var body = http.Response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        while (next <= last)
        {
            var written = await WritePageAsync(dataSource, writer, body, next, last, sequenced, ct);
            if (written is null) break;
            // The page goes to the client only now, after its connection went back to the pool.
            await body.FlushAsync(ct);
            next = written.Value + 1;
        }
        // Even with no event to export, the response has started: an empty export is a 200, not a 204.
        await body.FlushAsync(ct);
    }

    /// <summary>
    /// What this export covers, fixed when it starts: the events up to the last one appended, with the leaves of the
    /// events sequenced by then. Pages are read at different times, and an event that commits later under a lower
    /// sequence number could be missing from a page already sent; it can only be one that had no leaf when the export
    /// started, so leaves appear only up to that point, and the leaves the export shows have no gap.
    /// </summary>
    private static async Task<(long Last, long Sequenced)> BoundsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select (select coalesce(max(seq_id), 0) from {LedgerSchema.Events}), (select coalesce(max(seq_id), 0) from {LedgerSchema.Leaves})");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Reads the page that starts at <paramref name="from"/> and writes its lines into the response's buffer (not yet to
    /// the client); returns the sequence number of its last event, or null when there was none. The page's end is found
    /// from the stored sizes of its events, which PostgreSQL knows without reading them.
    /// </summary>
    private static async Task<long?> WritePageAsync(NpgsqlDataSource dataSource, Utf8JsonWriter writer, System.IO.Pipelines.PipeWriter body,
        long from, long last, long sequenced, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"with page as (select max(seq_id) as last from (select seq_id, sum(pg_column_size(data)) over (order by seq_id rows unbounded preceding) " +
            $"- pg_column_size(data) as before from {LedgerSchema.Events} where seq_id >= @from and seq_id <= @last and {LedgerSchema.IsRecord} " +
            $"order by seq_id limit @rows) sized " +
            $"where before < @bytes) " +
            $"select e.seq_id, l.leaf_index, l.leaf_hash, e.stream_id, e.version, e.type, e.data::text, coalesce(e.user_name, ''), e.timestamp " +
            $"from {LedgerSchema.Events} e left join {LedgerSchema.Leaves} l " +
            $"on l.seq_id = e.seq_id and l.seq_id >= @from and l.seq_id <= least((select last from page), @sequenced) " +
            $"where e.seq_id >= @from and e.seq_id <= (select last from page) and e.{LedgerSchema.IsRecord} order by e.seq_id");
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("last", last);
        cmd.Parameters.AddWithValue("sequenced", sequenced);
        cmd.Parameters.AddWithValue("rows", PageRows);
        cmd.Parameters.AddWithValue("bytes", PageBytes);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        long? written = null;
        while (await reader.ReadAsync(ct))
        {
            var sequence = reader.GetInt64(0);
            writer.WriteStartObject();
            writer.WriteNumber("sequence", sequence);
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
            writer.Flush();
            writer.Reset();
            body.Write("\n"u8);
            written = sequence;
        }
        return written;
    }
}
