using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClaimLedger.Audit;

/// <summary>
/// What a leaf commits to: <c>{streamId, version, type, data, actor, recordedAt}</c> of one event, as canonical JSON
/// (object keys sorted by UTF-16 code unit, no insignificant white space, numbers as stored, minimal string escaping),
/// so that anyone holding an export can recompute the leaf hash.
/// </summary>
public sealed record LeafContent(Guid StreamId, long Version, string Type, string Data, string Actor, string RecordedAt)
{
    /// <summary>The columns of an event row a leaf is made of, in the order <see cref="Read"/> takes them.</summary>
    public const string EventColumns = "seq_id, stream_id, version, type, data::text, coalesce(user_name, ''), timestamp";

    /// <summary>The sequence number and leaf content of the current row of a query selecting <see cref="EventColumns"/>.</summary>
    public static (long Seq, LeafContent Content) Read(Npgsql.NpgsqlDataReader reader) =>
        (reader.GetInt64(0), new LeafContent(reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
            reader.GetString(5), FormatTime(reader.GetFieldValue<DateTimeOffset>(6))));

    /// <summary>Event times are PostgreSQL microseconds, written in UTC with all six digits.</summary>
    public static string FormatTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public byte[] CanonicalJson()
    {
        var buffer = new ArrayBufferWriter<byte>(Data.Length + 256);
        WriteCanonical(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 6962 leaf hash of the canonical JSON, written once, straight after the 0x00 leaf prefix.</summary>
    public byte[] LeafHash()
    {
        var buffer = new ArrayBufferWriter<byte>(Data.Length + 257);
        buffer.GetSpan(1)[0] = 0;
        buffer.Advance(1);
        WriteCanonical(buffer);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    private void WriteCanonical(IBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        using var data = JsonDocument.Parse(Data);
        writer.WriteStartObject();
        writer.WriteString("actor", Actor);
        writer.WritePropertyName("data");
        WriteCanonical(writer, data.RootElement);
        writer.WriteString("recordedAt", RecordedAt);
        writer.WriteString("streamId", StreamId.ToString("D"));
        writer.WriteString("type", Type);
        writer.WriteNumber("version", Version);
        writer.WriteEndObject();
    }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false,
    };

    public static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = element.EnumerateObject().ToArray();
                // Keys are unique in stored JSON (jsonb keeps the last), so an unstable sort orders them the same.
                Array.Sort(properties, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteCanonical(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
