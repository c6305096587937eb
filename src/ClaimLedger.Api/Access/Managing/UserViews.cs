using System.Text;
using System.Text.Json.Serialization;
using ClaimLedger.Storage;
using ClaimLedger.Web;
using Marten;

namespace ClaimLedger.Access.Managing;

/// <summary>A key as admins see it: never the key, never its hash.</summary>
public sealed record KeyView(Guid KeyId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, bool Revoked, DateTimeOffset? RevokedAt);

public sealed record UserView(string Name, string Role, DateTimeOffset CreatedAt, IReadOnlyList<KeyView> Keys)
{
    public static UserView Of(UserAccount account, IReadOnlyDictionary<Guid, DateTimeOffset>? lastUses = null) =>
        new(account.Name, account.Role, account.CreatedAt, account.Keys.Select(k =>
            new KeyView(k.KeyId, k.Prefix, k.IssuedAt, lastUses?.GetValueOrDefault(k.KeyId) is { } used && used != default ? used : null, k.Revoked, k.RevokedAt)).ToList());
}

/// <summary>
/// A key just issued: <c>key</c> is shown in this response only. A repeat of the request with the same Idempotency-Key
/// answers the same without it: the key is not kept anywhere it could be shown from again.
/// </summary>
public sealed record IssuedKey(string Name, string Role, Guid KeyId, string Prefix,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key);

/// <summary>The HTTP frame of every change to users and keys: the admin as actor, then <see cref="UserDirectory"/>.</summary>
internal static class AccessWrite
{
    /// <param name="request">What an Idempotency-Key's repeat is compared by (with the route); null: the route takes none.</param>
    /// <param name="respond">The answer, and what a repeat of the request with its Idempotency-Key answers instead.</param>
    public static async Task<IResult> RunAsync(HttpContext http, IDocumentSession session, object? request,
        Func<IReadOnlyList<UserAccount>, IReadOnlyList<AccessCommand>> commands, NewApiKey? issued,
        Func<AccessOutcome, (IResult Answer, LedgerResponse? Repeated)> respond)
    {
        var actor = Actor.From(http.User);
        IdempotencyKey? key = null;
        if (request != null)
        {
            (key, var badKey) = IdempotencyKey.From(http, actor, request);
            if (badKey != null) return badKey;
        }
        var (outcome, replay) = await UserDirectory.DecideAsync(session, actor.Name, commands, issued, key, http.RequestAborted);
        if (replay != null) return replay;
        if (outcome.Refusal is { } refusal) return Problems.Result(refusal.Status, refusal.Reason, refusal.Field);
        var (answer, repeated) = respond(outcome);
        if (key != null && repeated != null) key.Remember(session, repeated, http.RequestServices.GetRequiredService<TimeProvider>());
        // Not bound to the request: once the commit starts, a client hanging up must not leave it in doubt.
        await session.SaveChangesAsync(CancellationToken.None);
        http.RequestServices.GetRequiredService<AccessChanges>().Changed();
        return answer;
    }

    /// <summary>A user's name as a route gives it, in the form names are stored in.</summary>
    public static string NameOf(string routeValue)
    {
        try { return routeValue.Trim().Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) { return routeValue; } // not valid Unicode: no user has it
    }

    public static (IResult, LedgerResponse?) KeyShownOnce(int status, AccessOutcome outcome, NewApiKey issued)
    {
        var account = outcome.Account!;
        var shown = new IssuedKey(account.Name, account.Role, issued.Id, issued.Prefix, issued.Key);
        return (LedgerResponse.Of(status, shown), LedgerResponse.Of(status, shown with { Key = null }));
    }
}
