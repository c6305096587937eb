using System.Buffers;
using System.Text.Json;

namespace ClaimLedger.Audit;

/// <summary>
/// Writes a JSON value in the ledger's canonical form: object keys sorted by UTF-16 code unit at every depth, no
/// insignificant white space, numbers byte for byte as stored, strings as the writer escapes them. It reads the text
/// once with <see cref="Utf8JsonReader"/> and rereads only the members it reorders, with no document built in between:
/// verification writes every event of the ledger this way.
/// </summary>
internal static class CanonicalJsonWriter
{
    /// <summary>As deep as <see cref="JsonDocument"/> parses by default, so that no stored value runs the stack out.</summary>
    private const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Writes the one JSON value <paramref name="json"/> holds.</summary>
    /// <remarks>
    /// The first reader sees every token of the value (what it does not write in order, it skips), so it refuses an empty
    /// value, nesting past <see cref="MaxDepth"/> and anything but white space after the value, each with a
    /// <see cref="JsonException"/>, before any member is reread: the rereading recursion is never deeper than that.
    /// </remarks>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        WriteValue(writer, ref reader, json);
        reader.Read();
    }

    /// <summary>A member of an object: where its key and its value stand in the object's text, and its key decoded when needed.</summary>
    private readonly record struct Member(int NameStart, int NameLength, int ValueStart, int ValueEnd, string? Name);

    /// <summary>Writes the value at the reader's current token, leaving the reader on the value's last token.</summary>
    private static void WriteValue(Utf8JsonWriter writer, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                WriteObject(writer, ref reader, json);
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) WriteValue(writer, ref reader, json);
                writer.WriteEndArray();
                break;
            case JsonTokenType.String:
                WriteString(writer, ref reader);
                break;
            case JsonTokenType.Number:
                // As stored, byte for byte, without a string in between.
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True:
            case JsonTokenType.False:
                writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                break;
            case JsonTokenType.Null:
                writer.WriteNullValue();
                break;
            default:
                throw new JsonException($"unexpected {reader.TokenType} in the data");
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var members = ArrayPool<Member>.Shared.Rent(16);
        var count = 0;
        try
        {
            var byRawName = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // A key's token starts at its opening quote; its value span is the text between the quotes.
                var nameStart = (int)reader.TokenStartIndex + 1;
                var nameLength = reader.ValueSpan.Length;
                var name = reader.ValueIsEscaped ? reader.GetString() : null;
                byRawName = byRawName && name is null && SortsAsWritten(reader.ValueSpan);
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                if (count == members.Length)
                {
                    var larger = ArrayPool<Member>.Shared.Rent(count * 2);
                    members.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<Member>.Shared.Return(members, clearArray: true);
                    members = larger;
                }
                members[count++] = new Member(nameStart, nameLength, valueStart, (int)reader.BytesConsumed, name);
            }

            var sorted = members.AsSpan(0, count);
            if (byRawName) SortByRawName(sorted, json);
            else SortByName(sorted, json);

            writer.WriteStartObject();
            foreach (var member in sorted)
            {
                // A decoded key and its UTF-8 text are written alike: the writer escapes both the same way.
                if (member.Name is { } decoded) writer.WritePropertyName(decoded);
                else writer.WritePropertyName(json.Slice(member.NameStart, member.NameLength));
                var value = json[member.ValueStart..member.ValueEnd];
                var valueReader = new Utf8JsonReader(value, ReaderOptions);
                valueReader.Read();
                WriteValue(writer, ref valueReader, value);
            }
            writer.WriteEndObject();
        }
        finally
        {
            ArrayPool<Member>.Shared.Return(members, clearArray: true);
        }
    }

    /// <summary>
    /// Whether an unescaped key sorts among such keys by its UTF-8 bytes as it does by UTF-16 code unit: it has no
    /// character from U+E000 up (whose UTF-8 sorts above a surrogate pair's, though its UTF-16 unit sorts below). The
    /// keys of every stored event are, and are neither decoded nor allocated.
    /// </summary>
    private static bool SortsAsWritten(ReadOnlySpan<byte> rawName) => rawName.IndexOfAnyInRange((byte)0xEE, (byte)0xFF) < 0;

    private static void SortByRawName(Span<Member> members, ReadOnlySpan<byte> json)
    {
        // Keys are unique in stored JSON (jsonb keeps the last), so an unstable sort orders them the same; the few keys
        // of an object are sorted by insertion, without a delegate (a span cannot be captured by one).
        for (var i = 1; i < members.Length; i++)
        {
            var member = members[i];
            var name = json.Slice(member.NameStart, member.NameLength);
            var j = i - 1;
            while (j >= 0 && json.Slice(members[j].NameStart, members[j].NameLength).SequenceCompareTo(name) > 0)
            {
                members[j + 1] = members[j];
                j--;
            }
            members[j + 1] = member;
        }
    }

    private static void SortByName(Span<Member> members, ReadOnlySpan<byte> json)
    {
        // Every key decoded once, then compared as strings.
        for (var i = 0; i < members.Length; i++)
            if (members[i].Name is null)
                members[i] = members[i] with { Name = System.Text.Encoding.UTF8.GetString(json.Slice(members[i].NameStart, members[i].NameLength)) };
        members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    private static void WriteString(Utf8JsonWriter writer, ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            writer.WriteStringValue(reader.ValueSpan);
            return;
        }
        // Unescaped, a string is never longer than as written.
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        try
        {
            var unescaped = length <= 512 ? stackalloc byte[512] : rented = ArrayPool<byte>.Shared.Rent(length);
            var written = reader.CopyString(unescaped);
            writer.WriteStringValue(unescaped[..written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
