using Marten.Events.Aggregation;

namespace ClaimLedger.Claims;

/// <summary>
/// The claim document: Marten's snapshot of each claim's stream, folded by <see cref="Claim"/>'s own Create and Apply
/// methods (what <c>Snapshot&lt;Claim&gt;</c> registers), kept inline. A rebuild runs it in Marten's daemon
/// (<see cref="ClaimSetup"/> says how).
/// </summary>
public sealed class ClaimProjection : SingleStreamProjection<Claim, Guid>
{
    /// <summary>The name <c>Snapshot&lt;Claim&gt;</c> gave it: the daemon's progress row and <c>projections rebuild</c> use it.</summary>
    public const string ProjectionName = nameof(Claim);

    public ClaimProjection() => Name = ProjectionName;
}
