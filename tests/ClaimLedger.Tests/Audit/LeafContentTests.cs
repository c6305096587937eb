using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Audit;

namespace ClaimLedger.Tests.Audit;

public class LeafContentTests
{
    private static readonly LeafContent Content = new(Guid.Parse("01a20d49-460a-7191-aaf8-d711d2678436"), 3, "claim_submitted",
        """{"value": {"bound": "AtLeast", "amount": 242.50}, "quote": "l'attaqude « d'Alep »", "anchor": {"start": 1, "end": 2}, "tags": [{"z": 1, "a": null}]}""",
        "ann", "2024-11-29T10:00:00.000001Z");

    private const string Canonical =
        """{"actor":"ann","data":{"anchor":{"end":2,"start":1},"quote":"l'attaqude « d'Alep »","tags":[{"a":null,"z":1}],"value":{"amount":242.50,"bound":"AtLeast"}},"recordedAt":"2024-11-29T10:00:00.000001Z","streamId":"01a20d49-460a-7191-aaf8-d711d2678436","type":"claim_submitted","version":3}""";

    [Fact]
    public void Canonical_json_sorts_keys_at_every_depth_keeps_numbers_as_stored_and_escapes_minimally() =>
        Assert.Equal(Canonical, Encoding.UTF8.GetString(Content.CanonicalJson()));

    [Fact]
    public void Leaf_hash_is_the_rfc_6962_hash_of_the_canonical_json()
    {
        var expected = SHA256.HashData([0, .. Encoding.UTF8.GetBytes(Canonical)]);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Content.LeafHash()));
        Assert.Equal(Convert.ToHexString(MerkleTree.LeafHash(Content.CanonicalJson())), Convert.ToHexString(Content.LeafHash()));
    }

    [Fact]
    public void The_verifiers_hash_of_the_data_as_utf_8_bytes_is_the_leaf_hash()
    {
        foreach (var content in new[] { Content, Content with { Data = """{"\uFF61": 1, "\uD83D\uDE00": "é\u00a0🙂", "b": [1.50, -0, 1e3]}""" } })
            Assert.Equal(Convert.ToHexString(content.LeafHash()), Convert.ToHexString(LeafContent.LeafHashOf(content.StreamId, content.Version, content.Type,
                Encoding.UTF8.GetBytes(content.Data), content.Actor, content.RecordedAt)));
    }

    [Fact]
    public void Keys_are_sorted_by_utf_16_code_unit_not_by_utf_8_byte()
    {
        // U+FF61 is one UTF-16 unit above the surrogates of U+1F600, but its UTF-8 bytes (EF …) sort below theirs (F0 …).
        var content = Content with { Data = """{"\uFF61": 1, "\uD83D\uDE00": 2, "b": 3, "B": 4}""" };
        using var canonical = System.Text.Json.JsonDocument.Parse(content.CanonicalJson());
        var keys = canonical.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["B", "b", "\uD83D\uDE00", "\uFF61"], keys);
    }

    [Fact]
    public void Keys_as_written_in_utf_8_sort_and_escape_as_their_decoded_strings_do()
    {
        // Keys in stored JSON are mostly plain UTF-8, compared as bytes; escaped keys and keys from U+E000 up are
        // compared as strings. Either way the order and the text are those of the keys as decoded strings.
        string[] keys = ["a", "b", "B", "ab", "a b", "é", "e", "\u00a0", "\u2028", "\uFF61", "\uE000", "\uD7FF", "\uD83D\uDE00", "Ω", "\\\"", "<"];
        var random = new Random(20241127);
        for (var i = 0; i < 2_000; i++)
        {
            var data = RandomObject(random, keys, depth: 0);
            var content = Content with { Data = data };
            var canonical = Encoding.UTF8.GetString(content.CanonicalJson());
            var expected = Encoding.UTF8.GetString(Content.CanonicalJson()).Replace(
                """{"anchor":{"end":2,"start":1},"quote":"l'attaqude « d'Alep »","tags":[{"a":null,"z":1}],"value":{"amount":242.50,"bound":"AtLeast"}}""",
                DecodedAndSorted(data));
            canonical.ShouldBe(expected, data);
            Convert.ToHexString(LeafContent.LeafHashOf(content.StreamId, content.Version, content.Type, Encoding.UTF8.GetBytes(data), content.Actor,
                content.RecordedAt)).ShouldBe(Convert.ToHexString(content.LeafHash()), data);
        }
    }

    [Fact]
    public void Long_escaped_strings_are_written_unescaped_and_escaped_again_as_the_writer_does()
    {
        var text = string.Concat(Enumerable.Range(0, 400).Select(i => i % 3 == 0 ? "\\n" : i % 3 == 1 ? "\\u00e9" : "\\\""));
        var data = $$"""{"long": "{{text}}", "short": "a\tb"}""";
        var canonical = Encoding.UTF8.GetString((Content with { Data = data }).CanonicalJson());
        canonical.ShouldContain($$"""
            "data":{{DecodedAndSorted(data)}}
            """);
        // \u00e9 comes out as é, \n and \" stay escaped: the writer's minimal escaping, not the stored text.
        canonical.ShouldContain("\\né\\\"\\né");
    }

    [Fact]
    public void Data_nested_deeper_than_64_is_refused_and_never_runs_the_stack_out()
    {
        string Nested(int depth) => new string('[', depth) + new string(']', depth);
        Encoding.UTF8.GetString((Content with { Data = Nested(60) }).CanonicalJson()).ShouldContain(Nested(60));
        Should.Throw<System.Text.Json.JsonException>(() => (Content with { Data = Nested(100_000) }).CanonicalJson());
        Should.Throw<System.Text.Json.JsonException>(() => (Content with { Data = """{"a": 1} {"b": 2}""" }).CanonicalJson());
    }

    /// <summary>An object of distinct keys, each written as plain UTF-8 (where JSON allows) or escaped (\uXXXX) at random.</summary>
    private static string RandomObject(Random random, string[] keys, int depth)
    {
        var picked = keys.OrderBy(_ => random.Next()).Take(random.Next(1, 7)).ToArray();
        var members = picked.Select(key =>
        {
            var decoded = System.Text.Json.JsonSerializer.Deserialize<string>($"\"{key}\"")!;
            var plain = decoded.All(c => c is not ('"' or '\\') && !char.IsControl(c));
            var written = random.Next(2) == 0 ? plain ? decoded : key : string.Concat(decoded.Select(c => $"\\u{(int)c:X4}"));
            var value = depth < 2 && random.Next(3) == 0 ? RandomObject(random, keys, depth + 1) : random.Next(2) == 0 ? $"{random.Next(-5, 100)}" : $"\"{key}\"";
            return $"\"{written}\": {value}";
        });
        return "{" + string.Join(", ", members) + "}";
    }

    /// <summary>The canonical form by the plainest means: every key decoded, sorted as strings, written by name.</summary>
    private static string DecodedAndSorted(string data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, System.Text.Json.Nodes.JsonNode.Parse(data)!);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void Write(System.Text.Json.Utf8JsonWriter writer, System.Text.Json.Nodes.JsonNode node)
        {
            if (node is not System.Text.Json.Nodes.JsonObject o)
            {
                node.WriteTo(writer);
                return;
            }
            writer.WriteStartObject();
            foreach (var (name, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                Write(writer, value!);
            }
            writer.WriteEndObject();
        }
    }

    [Fact]
    public void Each_leaf_hash_is_its_own_whatever_was_hashed_before_on_the_thread()
    {
        var expected = SHA256.HashData([0, .. Encoding.UTF8.GetBytes(Canonical)]);
        // An event larger than the buffer a thread keeps (a source's whole text), then the ordinary one again.
        var text = new string('x', 3 << 20);
        var large = Content with { Data = $$"""{"text": "{{text}}"}""" };
        var largeCanonical = Canonical.Replace(
            """{"anchor":{"end":2,"start":1},"quote":"l'attaqude « d'Alep »","tags":[{"a":null,"z":1}],"value":{"amount":242.50,"bound":"AtLeast"}}""",
            $$"""{"text":"{{text}}"}""");
        Assert.Equal(Convert.ToHexString(SHA256.HashData([0, .. Encoding.UTF8.GetBytes(largeCanonical)])), Convert.ToHexString(large.LeafHash()));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Content.LeafHash()));
        Assert.Equal(Canonical, Encoding.UTF8.GetString(Content.CanonicalJson()));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Content.LeafHash()));
    }

    [Fact]
    public void Leaf_hashes_computed_on_many_threads_at_once_are_the_ones_computed_alone()
    {
        var contents = Enumerable.Range(0, 4000)
            .Select(i => Content with { Version = i, Data = $$"""{"n": {{i}}, "quote": "{{new string((char)('a' + i % 26), 2000 + i % 97)}}", "a": [{{i}}, {"y": {{i}}, "x": null}]}""" })
            .ToArray();
        var alone = contents.Select(c => SHA256.HashData([0, .. c.CanonicalJson()])).ToArray();
        // Threads of their own, released together: each hashes every content while the others do.
        const int threads = 4;
        var together = new byte[threads][][];
        var failures = new Exception?[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            try { together[t] = contents.Select(c => c.LeafHash()).ToArray(); }
            catch (Exception e) { failures[t] = e; }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.All(failures, Assert.Null);
        foreach (var hashes in together)
            for (var i = 0; i < contents.Length; i++) Assert.Equal(Convert.ToHexString(alone[i]), Convert.ToHexString(hashes[i]));
    }

    [Fact]
    public void Event_times_are_written_in_utc_with_six_fraction_digits_whatever_the_time()
    {
        LeafContent.FormatTime(new DateTimeOffset(2024, 11, 29, 11, 0, 0, TimeSpan.FromHours(1))).ShouldBe("2024-11-29T10:00:00.000000Z");
        // Leaves are recomputed from these: the text must stay what the pattern always wrote, byte for byte.
        var random = new Random(20241129);
        for (var i = 0; i < 200_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            var time = new DateTimeOffset(ticks, TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1)));
            LeafContent.FormatTime(time).ShouldBe(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

public class VerifierPageTests
{
    [Fact]
    public void A_page_of_rows_the_verifier_reads_stays_off_the_large_object_heap() =>
        // Arrays of 85,000 bytes or more go to the large object heap, and allocating them triggers gen-2 collections:
        // pages of 2,048 rows made every verification pass run 20–30 of them.
        LedgerVerifier.PageBytes.ShouldBeLessThan(85_000);
}
