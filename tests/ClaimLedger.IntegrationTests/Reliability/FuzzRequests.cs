using System.Text.Json;
using CsCheck;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>
/// One generated request on one of <see cref="Routes.All"/>; <c>{claim}</c>, <c>{figure}</c>, <c>{source}</c> and
/// <c>{dispute}</c> in it stand for real ids.
/// </summary>
public sealed record FuzzRequest(int Route, string Method, string Path, string Query, string? Body, (string Name, string Value)[] Headers, string? User)
{
    public override string ToString()
    {
        var headers = string.Concat(Headers.Select(h => $" [{h.Name}: {h.Value}]"));
        var body = Body is null ? "" : " " + (Body.Length > 300 ? Body[..300] + $"… ({Body.Length} characters)" : Body);
        return $"{Method} {Path}{Query} as {User ?? "nobody"}{headers}{body}";
    }
}

/// <summary>
/// The generators of hostile requests: random JSON, mutations of each route's valid body (a member changed, dropped,
/// added or given twice), odd paths (upper case, trailing slash), HEAD, If-Match and Idempotency-Key variants (keys
/// reused across requests), times with offsets, U+0000 in strings, and unknown or missing keys.
/// </summary>
public static class FuzzRequests
{
    private static readonly string[] Hostile =
    [
        "", " ", "\t\n", "x", "242", "-1", "1e400", "NaN", "null", "true", "\u0000", "a\u0000b", "\ud800", "\udc00x", "😀", "\u202e\u202d", "%00",
        "../../etc/passwd", "'; drop table claimledger.mt_events; --", "\" or 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}",
        new string('a', 5000), "00000000-0000-0000-0000-000000000000", "2024-11-29", "2024-11-29T10:00:00", "2024-11-29T10:00:00+05:30",
        "at_least", "verified", "upheld", "supports", "OSDH", "au moins 242 victimes depuis mercredi", "au moins\u0000 242",
    ];

    private static readonly string[] Fields =
    [
        "title", "outlet", "url", "language", "publishedAt", "text", "metric", "unit", "place", "topic", "sourceId", "quote", "attributedTo",
        "figureId", "value", "validFrom", "validTo", "supersedes", "stance", "note", "reason", "outcome", "verdict", "amount", "bound", "low", "high", "zz",
    ];

    private static readonly string[] Ids = ["{source}", "{figure}", "{claim}", "{dispute}"];

    private static Gen<string> JsonValue(int depth) =>
        depth == 0
            ? Gen.OneOf(
                Gen.OneOf<string>(Hostile).Select(s => JsonSerializer.Serialize(s)),
                Gen.OneOf<string>("0", "1", "-1", "1e308", "1e400", "3.14", "99999999999999999999999999999", "true", "false", "null", "\"\\ud800\"",
                    "\"\\u0000\"", "\"x\\u0000y\"", "\"2024-11-29T10:00:00+05:30\"", "\"2024-11-29T10:00:00-08:00\""),
                Gen.OneOf<string>(Ids).Select(id => $"\"{id}\""))
            : Gen.OneOf(
                JsonValue(0),
                JsonValue(depth - 1).Array[0, 3].Select(items => "[" + string.Join(",", items) + "]"),
                Gen.Select(Gen.OneOf<string>(Fields), JsonValue(depth - 1)).Array[0, 6]
                    .Select(pairs => "{" + string.Join(",", pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}"));

    /// <summary>The route's valid body, as is or with one member changed, dropped, added or given twice.</summary>
    private static Gen<string> Mutation(string valid)
    {
        var members = JsonDocument.Parse(valid).RootElement.EnumerateObject().Select(p => (p.Name, Value: p.Value.GetRawText())).ToList();
        static string Object(IEnumerable<(string Name, string Value)> m) => "{" + string.Join(",", m.Select(p => $"\"{p.Name}\":{p.Value}")) + "}";
        return Gen.Select(Gen.Int[0, 4], Gen.Int[0, members.Count - 1], JsonValue(1), Gen.OneOf<string>(Fields), (kind, at, value, field) => kind switch
        {
            0 => valid,
            1 => Object(members.Select((m, i) => i == at ? (m.Name, value) : m)),
            2 => Object(members.Where((_, i) => i != at)),
            3 => Object(members.Append((field, value))),
            _ => Object(members.Append((members[at].Name, value))),
        });
    }

    private static Gen<string?> Body(Routes.Route route) =>
        route.Method != "POST"
            ? Gen.Const((string?)null)
            : Gen.Frequency<string?>(
                (3, JsonValue(2).Select(s => (string?)s)),
                // A POST that takes no body (issuing a key) gets none, or one of the others.
                (5, route.Body is null ? Gen.Const((string?)null) : Mutation(route.Body).Select(s => (string?)s)),
                (1, Gen.OneOf<string>(Hostile).Select(s => (string?)s)),
                (1, Gen.String[0, 200].Select(s => (string?)s)));

    /// <summary>The route's path: mostly with the ids it names, else another kind of id, junk or an unknown id; sometimes in
    /// upper case or with a trailing slash.</summary>
    private static Gen<string> Path(Routes.Route route) =>
        Gen.Select(
            Gen.Frequency(
                (7, Gen.Const("")),
                (1, Gen.OneOf<string>(Ids)),
                (1, Gen.OneOf<string>("00000000-0000-0000-0000-000000000000", "not-a-guid", "%2e%2e", "'--", new string('9', 300))),
                (1, Gen.Guid.Select(g => g.ToString()))),
            Gen.Int[0, 9],
            (id, shape) =>
            {
                var path = route.Path.Split('?')[0];
                if (id != "")
                    foreach (var placeholder in Ids.Where(p => p != "{dispute}")) path = path.Replace(placeholder, id);
                return shape switch { 0 => path.ToUpperInvariant(), 1 => path + "/", _ => path };
            });

    private static readonly string[] Printable = Hostile.Where(h => h.Length > 0 && h.All(c => c is >= ' ' and < '\u007f')).ToArray();

    private static readonly Gen<(string, string)> Header = Gen.OneOf(
        Gen.OneOf<string>("*", "\"0\"", "\"1\"", "\"2\"", "W/\"1\"", "\"1\", \"2\"", "W/\"1\", *", "\"1\",W/\"2\"", "garbage", "\"\"", "\"-1\"",
                "\"99999999999999999999\"", "\"1", "W/", "w/\"1\"", " \"1\" ")
            .Select(v => ("If-Match", v)),
        // A few keys reused across requests, routes and bodies: replays, conflicts and their scopes.
        Gen.OneOf<string>("fuzz-1", "fuzz-2", "fuzz-3", " ", new string('k', 256), "clé", "a\tb").Select(v => ("Idempotency-Key", v)),
        Gen.Select(Gen.OneOf<string>("Content-Type", "Accept", "If-Match", "Idempotency-Key"),
                Gen.OneOf(Gen.OneOf<string>(Printable), Gen.OneOf<string>("text/plain", "application/json; charset=utf-16", "application/merge-patch+json")))
            .Select(t => (t.Item1, t.Item2)));

    private static readonly string[] QueryValues =
    [
        .. Hostile.Select(Uri.EscapeDataString),
        .. new[]
        {
            "2024-11-29T10:00:00+05:30", "2030-01-01T00:00:00-08:00", "2024-11-27T00:00:00+14:00", "2024-11-29T10:00:00-12:00",
            "2024-11-29T10:00:00+25:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-11-29T10:00:00.1234567+01:00",
            "2024-11-29T10:00:00Z", "2024-11-29T10:00:00z", "0", "1", "3", "500", "501", "9223372036854775807", "-9223372036854775808",
        }.Select(Uri.EscapeDataString),
    ];

    private static readonly Gen<string> Query = Gen.Frequency(
        (3, Gen.Const("")),
        (2, Gen.Select(Gen.OneOf<string>("asOf", "version", "after", "limit", "from", "to", "leafIndex", "treeSize", "metric", "place", "figureId", "q", "status"),
                Gen.OneOf<string>(QueryValues))
            .Array[1, 3].Select(q => "?" + string.Join("&", q.Select(p => $"{p.Item1}={p.Item2}")))));

    private static readonly Dictionary<string, string[]> UsersOf = new()
    {
        ["checker"] = [Support.LedgerApi.Checker], ["reviewer"] = [Support.LedgerApi.Reviewer, Support.LedgerApi.OtherReviewer],
        ["auditor"] = [Support.LedgerApi.Auditor], ["admin"] = [Support.LedgerApi.Admin],
    };

    /// <summary>Half the time a user whose role may use the route; else any role, nobody, a made-up key or the admin.</summary>
    private static Gen<string?> User(Routes.Route route) => Gen.Frequency<string?>(
        (5, Gen.OneOf<string?>(route.Roles.SelectMany(r => UsersOf[r]).ToArray<string?>())),
        (5, Gen.OneOf<string?>(Support.LedgerApi.Checker, Support.LedgerApi.Reviewer, Support.LedgerApi.OtherReviewer, Support.LedgerApi.Auditor)),
        (1, Gen.OneOf<string?>(null, "clk_not_a_key", Support.LedgerApi.Admin)));

    public static readonly Gen<FuzzRequest> Request =
        Gen.Int[0, Routes.All.Length - 1].SelectMany(index =>
        {
            var route = Routes.All[index];
            var method = Gen.Frequency((19, Gen.Const(route.Method)), (1, Gen.Const("HEAD")));
            return Gen.Select(method, Path(route), Query, Body(route), Header.Array[0, 3], User(route),
                (m, path, query, body, headers, user) => new FuzzRequest(index, m, path, query, m == "POST" ? body : null, headers, user));
        });
}
