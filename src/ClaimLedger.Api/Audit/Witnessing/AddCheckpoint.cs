using System.Globalization;
using System.Text;
using ClaimLedger.Audit.Notes;

namespace ClaimLedger.Audit.Witnessing;

/// <summary>
/// The body of a tlog-witness <c>add-checkpoint</c> request: <c>old &lt;size&gt;</c>, zero to 63 base64 consistency proof
/// lines, a blank line, and the checkpoint (a signed note).
/// </summary>
public sealed record AddCheckpointRequest(long OldSize, IReadOnlyList<byte[]> Proof, string Checkpoint)
{
    public const int MaxProofLines = 63;

    public string Format()
    {
        var body = new StringBuilder("old ").Append(OldSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var hash in Proof) body.Append(Convert.ToBase64String(hash)).Append('\n');
        return body.Append('\n').Append(Checkpoint).ToString();
    }

    public static AddCheckpointRequest? Parse(string body, out string? reason)
    {
        reason = null;
        var newline = body.IndexOf('\n');
        if (newline < 0 || !body.StartsWith("old ", StringComparison.Ordinal) || !CheckpointBody.IsSize(body[4..newline], out var old))
            return Fail("the body starts with 'old <size>' and a newline", out reason);
        var proof = new List<byte[]>();
        var at = newline + 1;
        while (true)
        {
            var end = body.IndexOf('\n', at);
            if (end < 0) return Fail("a blank line ends the consistency proof", out reason);
            if (end == at) break;
            if (proof.Count == MaxProofLines) return Fail($"a consistency proof has at most {MaxProofLines} lines", out reason);
            byte[] hash;
            try { hash = Convert.FromBase64String(body[at..end]); }
            catch (FormatException) { return Fail($"proof line {proof.Count + 1} is not base64", out reason); }
            if (hash.Length != 32) return Fail($"proof line {proof.Count + 1} is not a 32-byte hash", out reason);
            proof.Add(hash);
            at = end + 1;
        }
        return new AddCheckpointRequest(old, proof, body[(at + 1)..]);
    }

    private static AddCheckpointRequest? Fail(string why, out string? reason)
    {
        reason = why;
        return null;
    }
}

/// <summary>What a witness answers to <c>add-checkpoint</c>, as tlog-witness defines it (403 for an unknown log, per the contract).</summary>
public abstract record WitnessAnswer
{
    /// <summary>200: the cosignature lines, each ending in a newline.</summary>
    public sealed record Cosigned(string Lines) : WitnessAnswer;
    /// <summary>409: the old size is not the size of the checkpoint last cosigned (or the same size has another root).</summary>
    public sealed record Conflict(long HeldSize, string Reason) : WitnessAnswer;
    public sealed record Malformed(string Reason, string Field) : WitnessAnswer;
    public sealed record Forbidden(string Reason) : WitnessAnswer;
    /// <summary>422: the consistency proof does not verify.</summary>
    public sealed record ProofFails(string Reason) : WitnessAnswer;
}

/// <summary>A checkpoint that passed the checks that need no state: well formed, from a known log, signed by its key.</summary>
public sealed record AuthenticCheckpoint(AddCheckpointRequest Request, SignedNote Note, CheckpointBody Body);

/// <summary>The witness's decisions, apart from where its state is kept.</summary>
public static class WitnessRules
{
    public static WitnessAnswer? Authenticate(string body, IReadOnlyDictionary<string, IReadOnlyList<NoteVerifierKey>> logs, out AuthenticCheckpoint? checkpoint)
    {
        checkpoint = null;
        if (AddCheckpointRequest.Parse(body, out var reason) is not { } request) return new WitnessAnswer.Malformed(reason!, "body");
        if (SignedNote.Parse(request.Checkpoint, out reason) is not { } note) return new WitnessAnswer.Malformed($"the checkpoint is not a signed note: {reason}", "checkpoint");
        if (CheckpointBody.Parse(note.Text, out reason) is not { } parsed) return new WitnessAnswer.Malformed($"the checkpoint is not one: {reason}", "checkpoint");
        if (!logs.TryGetValue(parsed.Origin, out var keys)) return new WitnessAnswer.Forbidden($"this witness does not witness the log {parsed.Origin}");
        if (!keys.Any(k => k.Signed(note))) return new WitnessAnswer.Forbidden($"the checkpoint carries no valid signature of a key of {parsed.Origin}");
        if (request.OldSize > parsed.TreeSize)
            return new WitnessAnswer.Malformed($"the old size {request.OldSize} is larger than the checkpoint's {parsed.TreeSize}", "old");
        if (request.OldSize == 0 && request.Proof.Count > 0) return new WitnessAnswer.Malformed("the proof from size 0 is empty", "proof");
        checkpoint = new AuthenticCheckpoint(request, note, parsed);
        return null;
    }

    /// <summary>
    /// Against the latest checkpoint cosigned for the log (size 0 when none): the new one must extend it.
    /// Null when it does, and may be cosigned.
    /// </summary>
    public static WitnessAnswer? Extends(AuthenticCheckpoint checkpoint, long heldSize, byte[] heldRoot)
    {
        var (request, body) = (checkpoint.Request, checkpoint.Body);
        if (request.OldSize != heldSize)
            return new WitnessAnswer.Conflict(heldSize, $"the old size is {request.OldSize}; this witness holds size {heldSize} of {body.Origin}");
        if (heldSize == 0) return null;
        if (body.TreeSize == heldSize)
            return body.RootHash.AsSpan().SequenceEqual(heldRoot)
                ? null
                : new WitnessAnswer.Conflict(heldSize, $"this witness holds another root for size {heldSize} of {body.Origin}");
        return MerkleTree.VerifyConsistency(heldSize, body.TreeSize, heldRoot, body.RootHash, request.Proof)
            ? null
            : new WitnessAnswer.ProofFails($"the proof does not show the tree of size {body.TreeSize} extends the one of size {heldSize} this witness cosigned");
    }
}
