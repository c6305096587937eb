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

    /// <summary>
    /// Event times are PostgreSQL microseconds, written in UTC with all six digits (<c>yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'</c>):
    /// the runtime's round-trip format (seven digits and a Z) without its seventh digit. Every leaf is read with one, and
    /// the custom pattern was parsed again on every call (about 170 ns, against 35).
    /// </summary>
    public static string FormatTime(DateTimeOffset t)
    {
        Span<char> text = stackalloc char[28];
        t.UtcDateTime.TryFormat(text, out _, "O", CultureInfo.InvariantCulture);
        text[26] = 'Z';
        return new string(text[..27]);
    }

    /// <summary>
    /// <see cref="EventColumns"/> with the data as PostgreSQL sends jsonb (its text in UTF-8, read as bytes): the
    /// verifier's columns, for <see cref="LeafHashOf"/>.
    /// </summary>
    public const string EventColumnsWithUtf8Data = "seq_id, stream_id, version, type, data, coalesce(user_name, ''), timestamp";

    public byte[] CanonicalJson() => Written(this, static (writer, leaf) => leaf.WriteCanonical(writer), static buffer => buffer.WrittenSpan.ToArray(),
        withLeafPrefix: false);

    /// <summary>RFC 6962 leaf hash of the canonical JSON, written once, straight after the 0x00 leaf prefix.</summary>
    public byte[] LeafHash() => Written(this, static (writer, leaf) => leaf.WriteCanonical(writer), static buffer => SHA256.HashData(buffer.WrittenSpan),
        withLeafPrefix: true);

    /// <summary>
    /// The leaf hash of an event read with <see cref="EventColumnsWithUtf8Data"/>, the same as its
    /// <see cref="LeafContent"/>'s <see cref="LeafHash()"/>: verification hashes every event of the ledger, and its data,
    /// parsed from the bytes as they arrive, is never made a string only to be transcoded back to UTF-8 for the parser
    /// (<c>--verify</c>, 380,853 events: passes of 131,000–184,000 events/s became 164,000–190,000).
    /// </summary>
    public static byte[] LeafHashOf(Guid streamId, long version, string type, ReadOnlyMemory<byte> utf8Data, string actor, string recordedAt) =>
        Written((streamId, version, type, utf8Data, actor, recordedAt),
            static (writer, e) => WriteCanonical(writer, e.streamId, e.version, e.type, e.utf8Data.Span, e.actor, e.recordedAt),
            static buffer => SHA256.HashData(buffer.WrittenSpan), withLeafPrefix: true);

    // Verification hashes every event of the ledger, and the sequencer every new one: each thread reuses one buffer and
    // one writer instead of allocating both per event (docs/benchmarks.md, "Verification").
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    /// <summary>A buffer grown past this by one large event (a source's whole text) is not kept for the next.</summary>
    private const int KeptBufferBytes = 1 << 20;

    private static T Written<TLeaf, T>(TLeaf leaf, Action<Utf8JsonWriter, TLeaf> write, Func<ArrayBufferWriter<byte>, T> result, bool withLeafPrefix)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        try
        {
            if (withLeafPrefix)
            {
                buffer.GetSpan(1)[0] = 0;
                buffer.Advance(1);
            }
            write(writer, leaf);
            writer.Flush();
            return result(buffer);
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes) (t_buffer, t_writer) = (null, null);
        }
    }

    private void WriteCanonical(Utf8JsonWriter writer)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(Data.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(Data, utf8);
            WriteCanonical(writer, StreamId, Version, Type, utf8.AsSpan(0, length), Actor, RecordedAt);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, Guid streamId, long version, string type, ReadOnlySpan<byte> utf8Data, string actor,
        string recordedAt)
    {
        writer.WriteStartObject();
        writer.WriteString(ActorKey, actor);
        writer.WritePropertyName(DataKey);
        CanonicalJsonWriter.Write(writer, utf8Data);
        writer.WriteString(RecordedAtKey, recordedAt);
        Span<byte> id = stackalloc byte[36];
        streamId.TryFormat(id, out _, "D");
        writer.WriteString(StreamIdKey, id);
        writer.WriteString(TypeKey, type);
        writer.WriteNumber(VersionKey, version);
        writer.WriteEndObject();
    }

    private static readonly JsonEncodedText ActorKey = JsonEncodedText.Encode("actor"), DataKey = JsonEncodedText.Encode("data"),
        RecordedAtKey = JsonEncodedText.Encode("recordedAt"), StreamIdKey = JsonEncodedText.Encode("streamId"),
        TypeKey = JsonEncodedText.Encode("type"), VersionKey = JsonEncodedText.Encode("version");

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false,
    };

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
