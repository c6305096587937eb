using System.Globalization;
using ClaimLedger.Access;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Audit;

public sealed record InclusionProof(long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> AuditPath, string RootHash);

public sealed record ConsistencyProof(long From, long To, IReadOnlyList<string> Proof, string FromRoot, string ToRoot);

public static class AuditEndpoints
{
    [EndpointSummary("Verify the ledger: recompute every leaf from its event, every root, every checkpoint signature")]
    [WolverineGet("/api/audit/verify", Name = "VerifyLedger"), Authorize(Policy = Policies.Audit)]
    [Tags("Audit")]
    [ProducesResponseType<VerificationReport>(200)]
    public static async Task<IResult> Verify(string? from, string? to, LedgerVerifier verifier, CancellationToken ct)
    {
        if (!TryParse(from, "from", out var f, out var bad) || !TryParse(to, "to", out var t, out bad)) return bad!;
        if (f is { } a && t is { } b && a > b) return Problems.Result(400, "from must not be greater than to", "from");
        return Results.Json(await verifier.VerifyAsync(f, t, ct), JsonSetup.Options);
    }

    [EndpointSummary("The latest signed checkpoint (tree head)")]
    [WolverineGet("/api/audit/checkpoints/latest", Name = "LatestCheckpoint"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    [ProducesResponseType<Checkpoint>(200)]
    public static async Task<IResult> LatestCheckpoint(LedgerVerifier verifier, CancellationToken ct) =>
        (await verifier.CheckpointsAsync(ct, latestOnly: true)).FirstOrDefault() is { } latest
            ? Results.Json(latest, JsonSetup.Options)
            : Problems.Result(404, "no checkpoint has been signed yet");

    [EndpointSummary("The keys checkpoints are signed with: the note verifier key, its PEM, the origin; the witness key of this node")]
    [WolverineGet("/api/audit/public-key", Name = "CheckpointPublicKey"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    [ProducesResponseType<Tlog.LedgerPublicKey>(200)]
    public static IResult PublicKey(CheckpointSigner signer, Witnessing.WitnessIdentity witness) =>
        signer.CanSign || witness.Enabled
            ? Results.Json(Tlog.TlogSetup.PublicKeyOf(signer, witness), JsonSetup.Options)
            : Problems.Result(404, "no signing key is configured");

    [EndpointSummary("RFC 6962 inclusion proof of a leaf in the tree of a given size")]
    [WolverineGet("/api/audit/proofs/inclusion", Name = "InclusionProof"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    [ProducesResponseType<InclusionProof>(200)]
    public static async Task<IResult> Inclusion(string? leafIndex, string? treeSize, LedgerVerifier verifier, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (leafIndex is null) return Problems.Result(400, "is required", "leafIndex");
        if (!TryParse(leafIndex, "leafIndex", out var index, out var bad) || !TryParse(treeSize, "treeSize", out var sizeAsked, out bad)) return bad!;
        var (size, badSize) = await TreeSizeAsync(sizeAsked, "treeSize", verifier, ct);
        if (badSize != null) return badSize;
        if (index >= size) return Problems.Result(400, $"must be below treeSize ({size})", "leafIndex");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var (leaf, path, root) = await new StoredTree(conn).ComputeAsync(t => (t.Hash(index!.Value, index.Value + 1), t.InclusionPath(index.Value, size), t.Root(size)), ct);
        return Results.Json(new InclusionProof(index!.Value, size, LeafContent.Hex(leaf), path.Select(LeafContent.Hex).ToList(), LeafContent.Hex(root)), JsonSetup.Options);
    }

    [EndpointSummary("RFC 6962 consistency proof between two tree sizes")]
    [WolverineGet("/api/audit/proofs/consistency", Name = "ConsistencyProof"), Authorize(Policy = Policies.Read)]
    [Tags("Audit")]
    [ProducesResponseType<ConsistencyProof>(200)]
    public static async Task<IResult> Consistency(string? from, string? to, LedgerVerifier verifier, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (from is null) return Problems.Result(400, "is required", "from");
        if (!TryParse(from, "from", out var m, out var bad) || !TryParse(to, "to", out var nAsked, out bad)) return bad!;
        var (n, badSize) = await TreeSizeAsync(nAsked, "to", verifier, ct);
        if (badSize != null) return badSize;
        if (m < 1 || m > n) return Problems.Result(400, $"must be from 1 to {n}", "from");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var (proof, r1, r2) = await new StoredTree(conn).ComputeAsync(t => (t.ConsistencyProof(m!.Value, n), t.Root(m.Value), t.Root(n)), ct);
        return Results.Json(new ConsistencyProof(m!.Value, n, proof.Select(LeafContent.Hex).ToList(), LeafContent.Hex(r1), LeafContent.Hex(r2)), JsonSetup.Options);
    }

    /// <summary>The tree size a proof is asked for (the current one when not given), within the tree.</summary>
    private static async Task<(long Size, IResult? Problem)> TreeSizeAsync(long? asked, string field, LedgerVerifier verifier, CancellationToken ct)
    {
        var current = await verifier.TreeSizeAsync(ct);
        var size = asked ?? current;
        return size < 1 || size > current
            ? (0, Problems.Result(400, $"must be from 1 to the tree's size ({current})", field))
            : (size, null);
    }

    private static bool TryParse(string? raw, string field, out long? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (raw is null) return true;
        if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) { value = v; return true; }
        problem = Problems.Result(400, "must be a whole number, 0 or more", field);
        return false;
    }
}
