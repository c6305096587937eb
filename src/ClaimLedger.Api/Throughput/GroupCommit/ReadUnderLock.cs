using System.Runtime.CompilerServices;
using ClaimLedger.Figures;
using ClaimLedger.Figures.Picture;
using Marten;

namespace ClaimLedger.Throughput.GroupCommit;

/// <summary>
/// Documents a write read under its figure lock (<see cref="Figures.FigureLock"/>), or counted on from this node's memory
/// and checked under the lock (<see cref="CommittedPictures"/>), kept with its session for the inline figure projection,
/// which then reads none of them again.
/// </summary>
/// <remarks>
/// Why: the picture projection would otherwise load the picture and the claim's entry in a round trip of its own inside
/// the write's transaction, with the figure locked; read with the lock, in the same round trip, they cost nothing more.
/// Measured (docs/benchmarks.md, fourth session): a submission went from six round trips to three and lifecycle writes
/// from 444 to 937 a second, together with the reads it joined into one batch. A group whose pictures are all remembered
/// reads nothing at all before it writes.
/// </remarks>
internal sealed class ReadUnderLock
{
    private static readonly ConditionalWeakTable<IDocumentOperations, ReadUnderLock> BySession = new();

    public readonly Dictionary<Guid, Task<FigurePicture?>> Pictures = new();
    public readonly Dictionary<Guid, Task<FigureClaim?>> Claims = new();

    public static ReadUnderLock Of(IDocumentOperations session) => BySession.GetOrCreateValue(session);
    public static ReadUnderLock? Find(IDocumentOperations session) => BySession.TryGetValue(session, out var reads) ? reads : null;
}
