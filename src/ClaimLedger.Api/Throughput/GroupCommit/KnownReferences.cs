using ClaimLedger.Figures;
using ClaimLedger.Sources;
using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.Extensions.Caching.Memory;

namespace ClaimLedger.Throughput.GroupCommit;

/// <summary>
/// The sources and figures this node has already read for submissions. Neither ever changes once registered or defined
/// (each stream holds only its first event) and neither is ever removed, so what was found once is still true in every
/// later transaction: a submission, alone or in a group, reads each of them once per node instead of once per
/// transaction. Only what was found is kept (an id not found may be registered a moment later); bounded by the size of
/// the source texts.
/// </summary>
/// <remarks>
/// Why: a group reads nothing before it writes only when every figure it refers to is known here (and its pictures are
/// remembered, <see cref="CommittedPictures"/>, whose measurement is this one's). Alone, taking a source and a figure read
/// out of each transaction measured within the noise (docs/benchmarks.md).
/// </remarks>
public sealed class KnownReferences : IDisposable
{
    private readonly MemoryCache _found = new(new MemoryCacheOptions { SizeLimit = 32 * 1024 * 1024 });

    /// <summary>The source, from memory or read (outside any write's transaction: a source never changes).</summary>
    public Task<Source?> SourceAsync(IQuerySession session, Guid id, CancellationToken ct) =>
        _found.TryGetValue(("source", id), out Source? known) ? Task.FromResult<Source?>(known) : RememberAsync(session.LoadAsync<Source>(id, ct));

    /// <summary>Whether the figure is defined, from memory or queued on the transaction's first round trip.</summary>
    public Task<bool> FigureExistsAsync(IBatchedQuery reads, Guid id) =>
        _found.TryGetValue(("figure", id), out _) ? Task.FromResult(true) : RememberAsync(id, reads.Load<Figure>(id));

    private async Task<Source?> RememberAsync(Task<Source?> load)
    {
        if (await load is not { } source) return null;
        _found.Set(("source", source.Id), source, new MemoryCacheEntryOptions { Size = (source.Text?.Length ?? 0) + 256 });
        return source;
    }

    private async Task<bool> RememberAsync(Guid id, Task<Figure?> load)
    {
        if (await load is null) return false;
        _found.Set(("figure", id), true, new MemoryCacheEntryOptions { Size = 64 });
        return true;
    }

    public void Dispose() => _found.Dispose();
}
