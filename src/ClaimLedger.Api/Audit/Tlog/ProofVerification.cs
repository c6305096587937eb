using ClaimLedger.Audit.Notes;

namespace ClaimLedger.Audit.Tlog;

/// <summary>What the offline check of a tlog-proof found; <see cref="Reason"/> says why it failed.</summary>
public sealed record ProofReport(bool Ok, long? LeafIndex = null, long? TreeSize = null, string? Origin = null, string? RootHash = null,
    string? LeafHash = null, IReadOnlyList<string>? CosignedBy = null, string? Reason = null);

/// <summary>
/// Checks one leaf against a tlog-proof and a policy, with nothing but the three files: the checkpoint must be signed by
/// a log of the policy (its key name is the checkpoint's origin), cosigned by a quorum of its witnesses, and the leaf's
/// RFC 6962 hash must be included in the checkpoint's tree.
/// </summary>
public static class ProofVerification
{
    public static ProofReport Verify(string proofText, byte[] leaf, TlogPolicy policy)
    {
        if (TlogProof.Parse(proofText, out var reason) is not { } proof) return new ProofReport(false, Reason: $"the proof file is not a tlog-proof: {reason}");
        if (SignedNote.Parse(proof.Checkpoint, out reason) is not { } note) return new ProofReport(false, proof.Index, Reason: $"its checkpoint is not a signed note: {reason}");
        if (CheckpointBody.Parse(note.Text, out reason) is not { } body) return new ProofReport(false, proof.Index, Reason: $"its checkpoint is not one: {reason}");
        var leafHash = MerkleTree.LeafHash(leaf);
        var report = new ProofReport(false, proof.Index, body.TreeSize, body.Origin, LeafContent.Hex(body.RootHash), LeafContent.Hex(leafHash));

        var logs = policy.Logs.Where(l => l.Name == body.Origin).ToList();
        if (logs.Count == 0) return report with { Reason = $"the policy lists no log of origin {body.Origin}" };
        if (!logs.Any(l => l.Signed(note))) return report with { Reason = $"the checkpoint carries no valid signature of the log {body.Origin} of the policy" };

        var cosigned = policy.Witnesses.Where(w => w.Value.Signed(note)).Select(w => w.Key).ToHashSet(StringComparer.Ordinal);
        report = report with { CosignedBy = cosigned.Order(StringComparer.Ordinal).ToList() };
        if (!policy.QuorumMet(cosigned))
            return report with { Reason = $"the checkpoint is cosigned by {cosigned.Count} witness(es) of the policy ({string.Join(", ", report.CosignedBy!)}): not the {policy.Describe()}" };

        if (!MerkleTree.VerifyInclusion(proof.Index, body.TreeSize, leafHash, proof.Path, body.RootHash))
            return report with { Reason = $"the leaf is not included at index {proof.Index} of the checkpoint's tree: the inclusion proof does not lead from its hash to the root" };
        return report with { Ok = true };
    }
}
