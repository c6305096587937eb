using System.Globalization;
using ClaimLedger.Audit.Notes;

namespace ClaimLedger.Audit.Tlog;

/// <summary>
/// A c2sp.org/tlog-policy file: the logs whose checkpoints are accepted (<c>log &lt;vkey&gt; [url]</c>), the witnesses
/// (<c>witness &lt;name&gt; &lt;vkey&gt; [url]</c>), groups with a threshold (<c>group &lt;name&gt; all|any|&lt;k&gt; &lt;name&gt;…</c>),
/// and the one quorum (<c>quorum &lt;name&gt;</c>, <c>none</c> for none).
/// </summary>
public sealed class TlogPolicy
{
    private sealed record Group(int Threshold, IReadOnlyList<string> Members);

    public IReadOnlyList<NoteVerifierKey> Logs { get; }
    public IReadOnlyDictionary<string, NoteVerifierKey> Witnesses { get; }
    private readonly Dictionary<string, Group> _groups;
    public string Quorum { get; }

    private TlogPolicy(List<NoteVerifierKey> logs, Dictionary<string, NoteVerifierKey> witnesses, Dictionary<string, Group> groups, string quorum) =>
        (Logs, Witnesses, _groups, Quorum) = (logs, witnesses, groups, quorum);

    public static TlogPolicy? Parse(string text, out string? reason)
    {
        var logs = new List<NoteVerifierKey>();
        var witnesses = new Dictionary<string, NoteVerifierKey>(StringComparer.Ordinal);
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        string? quorum = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            if (raw.Any(c => c < 0x20 && c != '\t' || c == 0x7F)) return Fail($"line {lineNumber}: only tab and newline may be control characters", out reason);
            var words = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || words[0].StartsWith('#')) continue;
            bool Defined(string name) => name == "none" || witnesses.ContainsKey(name) || groups.ContainsKey(name);
            switch (words[0])
            {
                case "log" when words.Length is 2 or 3:
                    if (NoteVerifierKey.Parse(words[1], out var why) is not { Type: NoteKeyTypes.Ed25519 } log)
                        return Fail($"line {lineNumber}: not a log's Ed25519 verifier key: {why ?? "its type is not 0x01"}", out reason);
                    if (logs.Any(l => l.PublicKey.SequenceEqual(log.PublicKey))) return Fail($"line {lineNumber}: the log's key is listed twice", out reason);
                    logs.Add(log);
                    break;
                case "witness" when words.Length is 3 or 4:
                    if (Defined(words[1])) return Fail($"line {lineNumber}: the name {words[1]} is already defined", out reason);
                    if (NoteVerifierKey.Parse(words[2], out why) is not { Type: NoteKeyTypes.Cosignature } witness)
                        return Fail($"line {lineNumber}: not a witness's cosignature key: {why ?? "its type is not 0x04"}", out reason);
                    if (witnesses.Values.Any(w => w.PublicKey.SequenceEqual(witness.PublicKey))) return Fail($"line {lineNumber}: the witness's key is listed twice", out reason);
                    witnesses[words[1]] = witness;
                    break;
                case "group" when words.Length >= 4:
                    var members = words[3..];
                    if (Defined(words[1])) return Fail($"line {lineNumber}: the name {words[1]} is already defined", out reason);
                    if (members.FirstOrDefault(m => m == "none" || !Defined(m)) is { } unknown) return Fail($"line {lineNumber}: {unknown} is not a witness or group defined above", out reason);
                    if (members.Distinct().Count() != members.Length) return Fail($"line {lineNumber}: a member is listed twice", out reason);
                    int threshold;
                    if (words[2] == "all") threshold = members.Length;
                    else if (words[2] == "any") threshold = 1;
                    else if (!CheckpointBody.IsSize(words[2], out var k) || k < 1 || k > members.Length)
                        return Fail($"line {lineNumber}: the threshold is all, any or a number from 1 to {members.Length}", out reason);
                    else threshold = (int)k;
                    groups[words[1]] = new Group(threshold, members);
                    break;
                case "quorum" when words.Length == 2:
                    if (quorum != null) return Fail($"line {lineNumber}: a policy has one quorum line", out reason);
                    if (!Defined(words[1])) return Fail($"line {lineNumber}: {words[1]} is not a witness or group defined above", out reason);
                    quorum = words[1];
                    break;
                default:
                    return Fail($"line {lineNumber}: '{words[0]}' with {words.Length - 1} value(s) is not a policy line (log, witness, group, quorum)", out reason);
            }
        }
        if (quorum is null) return Fail("the policy has no quorum line", out reason);
        reason = null;
        return new TlogPolicy(logs, witnesses, groups, quorum);
    }

    /// <summary>Whether the witnesses named (by their policy names) make the quorum.</summary>
    public bool QuorumMet(IReadOnlySet<string> cosigned) => Met(Quorum, cosigned);

    private bool Met(string name, IReadOnlySet<string> cosigned) =>
        name == "none" || cosigned.Contains(name) ||
        _groups.TryGetValue(name, out var group) && group.Members.Count(m => Met(m, cosigned)) >= group.Threshold;

    public string Describe() => Quorum == "none"
        ? "no witness required"
        : $"quorum {Quorum} of {Witnesses.Count.ToString(CultureInfo.InvariantCulture)} witness(es)";

    private static TlogPolicy? Fail(string why, out string? reason)
    {
        reason = why;
        return null;
    }
}
