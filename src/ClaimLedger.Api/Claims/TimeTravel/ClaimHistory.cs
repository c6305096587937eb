using Marten;

namespace ClaimLedger.Claims.TimeTravel;

/// <summary>
/// A claim's state at one version. Events never change, so neither does the state at a version: snapshots are a
/// memo of past answers, written when an answer had to fold many events, and never need rebuilding.
/// </summary>
public sealed record ClaimSnapshot(string Id, Guid ClaimId, long Version, Claim State)
{
    public static string IdFor(Guid claimId, long version) => $"{claimId:N}/{version:D10}";
}

/// <summary>Answers "what did the ledger say of this claim at version N / at time T" without folding the whole stream.</summary>
public static class ClaimHistory
{
    /// <summary>Past this many events folded for one answer, the answer is kept as a snapshot.</summary>
    public const int SnapshotEvery = 100;

    /// <summary>The latest version recorded at or before T, or null when the claim did not exist yet.</summary>
    public static async Task<long?> VersionAtAsync(IQuerySession session, Guid claimId, DateTimeOffset at, CancellationToken ct)
    {
        var versions = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == claimId && e.Timestamp <= at)
            .OrderByDescending(e => e.Version).Select(e => e.Version).Take(1).ToListAsync(ct);
        return versions.Count == 0 ? null : versions[0];
    }

    public static async Task<Claim?> AtVersionAsync(IDocumentStore store, IQuerySession session, Guid claimId, long version, CancellationToken ct)
    {
        var snapshot = await session.Query<ClaimSnapshot>()
            .Where(s => s.ClaimId == claimId && s.Version <= version)
            .OrderByDescending(s => s.Version).FirstOrDefaultAsync(ct);
        var from = snapshot?.Version ?? 0;
        if (from == version) return snapshot!.State;

        var claim = await session.Events.AggregateStreamAsync(claimId, version, state: snapshot?.State, fromVersion: from + 1, token: ct);
        if (claim is null || claim.Version != version) return claim;
        if (version - from >= SnapshotEvery) await RememberAsync(store, claim, ct);
        return claim;
    }

    private static async Task RememberAsync(IDocumentStore store, Claim claim, CancellationToken ct)
    {
        // A memo, not a record: written in its own session, and losing a race to write the same one is fine.
        await using var session = store.LightweightSession();
        session.Store(new ClaimSnapshot(ClaimSnapshot.IdFor(claim.Id, claim.Version), claim.Id, claim.Version, claim));
        await session.SaveChangesAsync(ct);
    }
}
