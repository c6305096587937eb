using ClaimLedger.Access;
using ClaimLedger.Audit.Witnessing;
using ClaimLedger.Web;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace ClaimLedger.Audit.Tlog;

/// <summary>
/// The log as c2sp.org/tlog-tiles serves it, under the prefix <c>/tlog</c>: the latest checkpoint as a signed note and
/// the hash tiles. They reveal only hashes, so anyone may read them unless <c>ClaimLedger:Tlog:Public</c> is false (then
/// a reader's key is needed, as for <c>/api</c>). Entry bundles are not served: a source's text can exceed the 64 KiB a
/// bundle entry may hold; <c>/api/audit/leaves/{i}</c> gives each leaf's bytes.
/// </summary>
public static class TlogEndpoints
{
    [EndpointSummary("The latest checkpoint, as a signed note with the witnesses' cosignatures (c2sp.org/tlog-checkpoint)")]
    [WolverineGet("/tlog/checkpoint", Name = "TlogCheckpoint"), AllowAnonymous]
    [Tags("Transparency log")]
    public static async Task<IResult> Checkpoint(HttpContext http, TlogSettings settings, LedgerVerifier verifier, CancellationToken ct)
    {
        if (Refused(http, settings) is { } refused) return refused;
        if ((await verifier.CheckpointsAsync(ct, latestOnly: true, notesOnly: true)).FirstOrDefault() is not { Note: { } note })
            return Problems.Result(404, "no checkpoint has been signed as a note yet");
        // Mutable: a few seconds at most, as tlog-tiles asks.
        http.Response.Headers.CacheControl = "public, max-age=2";
        return Results.Text(note, "text/plain; charset=utf-8");
    }

    [EndpointSummary("A hash tile: /tlog/tile/<L>/<N>[.p/<W>] (c2sp.org/tlog-tiles)")]
    [WolverineGet("/tlog/tile/{**path}", Name = "TlogTile"), AllowAnonymous]
    [Tags("Transparency log")]
    public static async Task<IResult> Tile(string? path, HttpContext http, TlogSettings settings, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (Refused(http, settings) is { } refused) return refused;
        if (TileAddress.Parse(path) is not { } tile)
            return Problems.Result(400, "a tile is <L>/<N>[.p/<W>]: level 0-63, index in 3-digit elements (x001/x234/067), width 1-255", "path");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (await tile.ReadAsync(conn, ct) is not { } hashes) return Problems.Result(404, $"the tree has no tile {tile.Path} yet", "path");
        // A tile never changes once it exists, partial ones included (a wider one is another path).
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Bytes(hashes, "application/octet-stream");
    }

    /// <summary>Null when the tlog routes are public or the caller may read; else 401 or 403.</summary>
    public static IResult? Refused(HttpContext http, TlogSettings settings)
    {
        if (settings.Public) return null;
        if (http.User.Identity?.IsAuthenticated != true) return Problems.Result(401, "send a reader's key: Authorization: Bearer <api key>", "Authorization");
        return Policies.RolesFor[Policies.Read].Any(http.User.IsInRole) ? null : Problems.Result(403, "this key's role may not read the ledger", "Authorization");
    }
}
