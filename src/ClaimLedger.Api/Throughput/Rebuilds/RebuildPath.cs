namespace ClaimLedger.Throughput.Rebuilds;

/// <summary>How the daemon runs the projections' ranges (a rebuild, and the revision history live).</summary>
public enum RebuildPath
{
    /// <summary>Each projection the way measured fastest: Marten's own execution wherever it meets its floor.</summary>
    Fastest,
    /// <summary>Every projection on Marten's own execution, with the same range sizes.</summary>
    Marten,
    /// <summary>Marten's own execution with its rebuild settings on (an aggregate cache, deferred and copied writes).</summary>
    MartenTuned,
}
