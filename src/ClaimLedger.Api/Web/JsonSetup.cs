using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClaimLedger.Web;

/// <summary>The one JSON setup: HTTP bodies, stored documents and events, exports.</summary>
public static class JsonSetup
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Dictionary keys are data (a problem's field names, originators), written as they are: a policy turned the
        // field "If-Match" into the key "if-Match" of a problem's errors.
        o.DictionaryKeyPolicy = null;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.Converters.Add(new InstantConverter());
        o.Converters.Add(new NullableInstantConverter());
        o.NumberHandling = JsonNumberHandling.Strict;
        o.AllowTrailingCommas = false;
        o.ReadCommentHandling = JsonCommentHandling.Disallow;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        // Quotes are French text: keep them readable in every response and export.
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    public static readonly JsonSerializerOptions Options = Build(forRequests: false);

    /// <summary>
    /// What request bodies are read with: <see cref="Options"/>, and two refusals. A member given twice (matched ignoring
    /// case, as members are) is refused instead of the last one silently winning. A string holding U+0000 is refused,
    /// naming its JSON path: PostgreSQL stores no U+0000 (jsonb refuses the escape <c>\u0000</c> that any JSON writer
    /// makes of it, as text refuses the NUL byte), so the write would fail. The six characters of an escaped backslash
    /// followed by u0000 (<c>"\\u0000"</c> in JSON) are ordinary text and pass.
    /// </summary>
    public static readonly JsonSerializerOptions RequestOptions = Build(forRequests: true);

    private static JsonSerializerOptions Build(bool forRequests)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        // Only for requests: stored documents and events are read and written without them, at full speed.
        if (forRequests)
        {
            o.AllowDuplicateProperties = false;
            o.Converters.Add(new StorableString());
        }
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public const string NulReason = "must not contain U+0000 (the NUL character): it cannot be stored";

    private sealed class StorableString : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // A token that is not a string fails here as it would without this converter ("could not be converted").
            var value = reader.GetString()!;
            // Unescaped JSON text cannot hold U+0000 (the reader refuses control characters): only an escape can.
            return reader.ValueIsEscaped && value.Contains('\0') ? throw new JsonException(NulReason, new FormatException(NulReason)) : value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>"$.value.amount" → "value.amount": the field a client wrote.</summary>
    public static string? FieldOf(JsonException e)
    {
        if (string.IsNullOrEmpty(e.Path) || e.Path == "$") return "body";
        return e.Path.StartsWith("$.") ? e.Path[2..] : e.Path.TrimStart('$');
    }

    public static string Describe(JsonException e)
    {
        var field = FieldOf(e);
        var reason = e.InnerException is FormatException or InvalidOperationException ? e.InnerException.Message : null;
        if (e.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
            return $"{field}: is given more than once; give each member once";
        if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return $"{field}: the value has the wrong type or format{(reason is null ? "" : $" ({reason})")}";
        if (field is null or "body") return "the body is not well-formed JSON";
        return $"{field}: {(reason ?? "the value is not valid JSON for this field")}";
    }

    /// <summary>
    /// Times are ISO 8601 with an offset; a plain date (2024-11-29) means midnight UTC. A time without an offset is
    /// refused: it would be read in the server's zone, which no client means.
    /// </summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') ||
                        (text.Length > 6 && (text[^6] == '+' || text[^6] == '-') && text[^3] == ':');
        return hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>
    /// An instant of recorded time from a query string (<c>asOf</c>): read as <see cref="TryParseInstant"/>, in UTC. It is
    /// compared with the ledger's timestamps, and PostgreSQL's driver takes an instant only in UTC.
    /// </summary>
    public static bool TryParseAsOf(string? text, out DateTimeOffset utc)
    {
        var parsed = TryParseInstant(text, out utc);
        utc = utc.ToUniversalTime();
        return parsed;
    }

    /// <summary>
    /// The one way times are written: ISO 8601 with the offset, to the microsecond, without trailing zeros
    /// (<c>yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz</c>).
    /// </summary>
    public static string Format(DateTimeOffset value)
    {
        Span<char> text = stackalloc char[RoundTripLength];
        return new string(text[..Format(value, text)]);
    }

    private const int RoundTripLength = 33;

    /// <summary>
    /// The same text from the runtime's round-trip format (<c>yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm</c>), its fast path: the
    /// fraction cut to six digits, then its trailing zeros, and its point when nothing is left. Why: the custom pattern
    /// was parsed again on every call, 7 % of a history rebuild's CPU (every stored document carries times).
    /// </summary>
    private static int Format(DateTimeOffset value, Span<char> text)
    {
        value.TryFormat(text, out _, "O", CultureInfo.InvariantCulture);
        var digits = 6;
        while (digits > 0 && text[19 + digits] == '0') digits--;
        var end = digits == 0 ? 19 : 20 + digits;
        text.Slice(27, 6).CopyTo(text[end..]);
        return end + 6;
    }

    private sealed class InstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException("expected a time as an ISO 8601 string");
            return TryParseInstant(reader.GetString(), out var v)
                ? v
                : throw new JsonException("expected an ISO 8601 time with an offset (2024-11-29T10:00:00+01:00) or a date (2024-11-29)",
                    new FormatException("expected an ISO 8601 time with an offset (2024-11-29T10:00:00+01:00) or a date (2024-11-29)"));
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            Span<char> text = stackalloc char[RoundTripLength];
            writer.WriteStringValue(text[..Format(value, text)]);
        }
    }

    private sealed class NullableInstantConverter : JsonConverter<DateTimeOffset?>
    {
        private readonly InstantConverter _inner = new();
        public override bool HandleNull => true;

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : _inner.Read(ref reader, typeof(DateTimeOffset), options);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is null) writer.WriteNullValue();
            else _inner.Write(writer, value.Value, options);
        }
    }
}
