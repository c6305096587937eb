using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClaimLedger.Access;
using Marten;

namespace ClaimLedger.Hosting;

/// <summary>
/// The first successful response to a POST with an <c>Idempotency-Key</c>, stored in the same transaction as the
/// events it acknowledged. Keys are scoped to the actor and the route.
/// </summary>
public sealed record IdempotentResponse(
    string Id, string RequestHash, int Status, string Body, string? Location, string? ETag, DateTimeOffset RecordedAt);

public sealed record IdempotencyKey(string Id, string RequestHash)
{
    public const string Header = "Idempotency-Key";

    /// <summary>Reads the header; a malformed key is a 400, no key is simply no idempotency.</summary>
    public static (IdempotencyKey? Key, IResult? Problem) From(HttpContext http, Actor actor, object request)
    {
        var raw = http.Request.Headers[Header].ToString();
        if (raw.Length == 0) return (null, null);
        if (raw.Length > 255 || raw.Any(c => c < 0x21 || c > 0x7E))
            return (null, Problems.Result(400, "must be 1 to 255 visible ASCII characters", Header));
        var route = $"{http.Request.Method} {http.Request.Path}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            route + "\n" + JsonSerializer.Serialize(request, request.GetType(), JsonSetup.Options))));
        return (new IdempotencyKey($"{actor.Name}\n{route}\n{raw}", hash), null);
    }

    /// <summary>The stored first response, a 422 when the key was used with another body, or null when new.</summary>
    public async Task<IResult?> ReplayAsync(IQuerySession session, CancellationToken ct)
    {
        var first = await session.LoadAsync<IdempotentResponse>(Id, ct);
        if (first is null) return null;
        if (first.RequestHash != RequestHash)
            return Problems.Result(422, "this Idempotency-Key was already used with a different request body", Header);
        return new LedgerResponse(first.Status, first.Body, first.Location, first.ETag);
    }

    /// <summary>Stores the response with the events: an Insert, so two racing repeats cannot both commit.</summary>
    public void Remember(IDocumentSession session, LedgerResponse response, TimeProvider clock) =>
        session.Insert(new IdempotentResponse(Id, RequestHash, response.Status, response.Body, response.Location, response.ETag, clock.GetUtcNow()));
}
