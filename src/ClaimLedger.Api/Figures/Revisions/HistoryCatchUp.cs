using ClaimLedger.Figures.Picture;
using Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Figures.Revisions;

/// <summary>
/// The revision history trails the picture by the daemon's lag (milliseconds, or seconds while its node is replaced).
/// A reader of the history first waits until the figure's history holds every revision the picture counted when the
/// request came in — so a client that wrote and then reads sees its write — and gets 503 with Retry-After if that takes
/// longer than <c>ClaimLedger:History:WaitMilliseconds</c> (default 5,000). Never a partial history passed off as whole.
/// </summary>
public sealed class HistoryCatchUp(IConfiguration configuration, TimeProvider clock)
{
    private readonly TimeSpan _patience = TimeSpan.FromMilliseconds(configuration.GetValue("ClaimLedger:History:WaitMilliseconds", 5000));

    /// <summary>Whether the history holds the figure's revision (it numbers them densely: then it holds all before).</summary>
    private static Task<bool> HoldsAsync(IQuerySession session, Guid figureId, long revision, CancellationToken ct)
    {
        var id = FigureRevision.IdFor(figureId, revision);
        return session.Query<FigureRevision>().AnyAsync(r => r.Id == id, ct);
    }

    /// <summary>
    /// True once the history holds revision <paramref name="revision"/> of the figure (at once when the caller already saw
    /// revision <paramref name="known"/> that far); false if it did not in time.
    /// </summary>
    public async Task<bool> WaitForAsync(IQuerySession session, Guid figureId, long revision, long known, CancellationToken ct)
    {
        if (known >= revision) return true;
        var deadline = clock.GetUtcNow() + _patience;
        while (true)
        {
            if (await HoldsAsync(session, figureId, revision, ct)) return true;
            if (clock.GetUtcNow() >= deadline) return false;
            await Task.Delay(20, ct);
        }
    }

    public static IResult Behind(HttpContext http, FigurePicture picture)
    {
        http.Response.Headers.RetryAfter = "1";
        return Problems.Result(503,
            $"the revision history of the figure {picture.Id} is still being brought up to its revision {picture.RevisionCount}; retry shortly");
    }
}
