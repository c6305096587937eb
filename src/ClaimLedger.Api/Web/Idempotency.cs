using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClaimLedger.Access;
using Marten;
using Marten.Services.BatchQuerying;

namespace ClaimLedger.Web;

/// <summary>
/// The first successful response to a POST with an <c>Idempotency-Key</c>, stored in the same transaction as the
/// events it acknowledged. Keys are scoped to the user: the request they were first used with (its route and body) is
/// <see cref="RequestHash"/>.
/// </summary>
public sealed record IdempotentResponse(
    string Id, string RequestHash, int Status, string Body, string? Location, string? ETag, DateTimeOffset RecordedAt);

public sealed record IdempotencyKey(string Id, string RequestHash)
{
    public const string Header = "Idempotency-Key";

    /// <summary>Keys share an advisory lock space: (LockSpace, a hash of the key).</summary>
    private const int LockSpace = 0x434C49; // "CLI"

    /// <summary>Reads the header; a malformed key is a 400, no key is simply no idempotency.</summary>
    public static (IdempotencyKey? Key, IResult? Problem) From(HttpContext http, Actor actor, object request)
    {
        var raw = http.Request.Headers[Header].ToString();
        if (raw.Length == 0) return (null, null);
        if (raw.Length > 255 || raw.Any(c => c < 0x21 || c > 0x7E))
            return (null, Problems.Result(400, "must be 1 to 255 visible ASCII characters", Header));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            CanonicalRoute(http) + "\n" + JsonSerializer.Serialize(request, request.GetType(), JsonSetup.Options))));
        return (new IdempotencyKey($"{actor.Name}\n{raw}", hash), null);
    }

    /// <summary>
    /// The route as the endpoint understood it, however the path was spelled: its method and pattern, and its values
    /// as they were bound (an id in upper case, in braces or not, is the same id).
    /// </summary>
    internal static string CanonicalRoute(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint endpoint) return $"{http.Request.Method} {http.Request.Path}";
        var route = new StringBuilder(http.Request.Method).Append(' ').Append(endpoint.RoutePattern.RawText);
        foreach (var parameter in endpoint.RoutePattern.Parameters)
        {
            var value = http.Request.RouteValues[parameter.Name]?.ToString() ?? "";
            route.Append('\n').Append(parameter.Name).Append('=')
                .Append(Guid.TryParse(value, out var id) ? id.ToString("D") : value);
        }
        return route.ToString();
    }

    /// <summary>The stored first response, a 422 when the key was used with another request, or null when new.</summary>
    public async Task<IResult?> ReplayAsync(IQuerySession session, CancellationToken ct) =>
        Replay(await session.LoadAsync<IdempotentResponse>(Id, ct));

    /// <summary>
    /// Queues, in the write's transaction, the key's lock and then the read of its first response: a repeat racing the
    /// first waits for it to commit or roll back, and then answers as it did (or is written, when it did not commit).
    /// </summary>
    public Task<IdempotentResponse?> GuardAsync(IBatchedQuery reads)
    {
        _ = reads.Query<string>("select 'locked' from (select pg_advisory_xact_lock(?, ?)) as locked", LockSpace, LockKey());
        return reads.Load<IdempotentResponse>(Id);
    }

    public IResult? Replay(IdempotentResponse? first)
    {
        if (first is null) return null;
        if (first.RequestHash != RequestHash)
            return Problems.Result(422, "this Idempotency-Key was already used with a different request (another route or body)", Header);
        return new LedgerResponse(first.Status, first.Body, first.Location, first.ETag);
    }

    /// <summary>Stores the response with the events: an Insert, so two repeats can never both commit.</summary>
    public void Remember(IDocumentSession session, LedgerResponse response, TimeProvider clock) =>
        session.Insert(new IdempotentResponse(Id, RequestHash, response.Status, response.Body, response.Location, response.ETag, clock.GetUtcNow()));

    private int LockKey() => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(Id)), 0);
}
