using ClaimLedger.Audit.Notes;
using ClaimLedger.Hosting;
using ClaimLedger.Local;
using ClaimLedger.Storage;

namespace ClaimLedger.Audit.Witnessing;

/// <summary>A witness this log asks for cosignatures: its tlog-witness submission prefix and its cosignature key.</summary>
public sealed record WitnessTarget(string Url, NoteVerifierKey Key)
{
    public string Name => Key.Name;
}

/// <summary>
/// The log's side: <c>ClaimLedger:Witnesses:&lt;n&gt;:Url</c> and <c>:VerifierKey</c>, the witnesses each new checkpoint
/// is submitted to; and whether the tlog routes are open to anyone (<c>ClaimLedger:Tlog:Public</c>, true by default:
/// they reveal only hashes).
/// </summary>
public sealed class TlogSettings
{
    public IReadOnlyList<WitnessTarget> Witnesses { get; }
    public bool Public { get; }
    public TimeSpan SubmitTimeout { get; }

    public TlogSettings(IConfiguration configuration)
    {
        Public = configuration.GetValue("ClaimLedger:Tlog:Public", true);
        SubmitTimeout = TimeSpan.FromMilliseconds(configuration.GetValue("ClaimLedger:Witnesses:TimeoutMilliseconds", 10_000));
        var witnesses = new List<WitnessTarget>();
        foreach (var section in configuration.GetSection("ClaimLedger:Witnesses").GetChildren().Where(s => s["VerifierKey"] != null || s["Url"] != null))
        {
            var setting = $"ClaimLedger:Witnesses:{section.Key}";
            if (NoteVerifierKey.Parse(section["VerifierKey"], out var reason) is not { Type: NoteKeyTypes.Cosignature } key)
                throw new StartRefused($"{setting}:VerifierKey is not a witness's cosignature key (<name>+<key ID>+<base64(0x04 || key)>): {reason ?? "its type is not 0x04"}");
            if (!Uri.TryCreate(section["Url"], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new StartRefused($"{setting}:Url is not the witness's http(s) submission prefix (for a ClaimLedger witness, <its base URL>/tlog/witness)");
            witnesses.Add(new WitnessTarget(url.ToString().TrimEnd('/'), key));
        }
        if (witnesses.GroupBy(w => w.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new StartRefused($"ClaimLedger:Witnesses names the witness {twice.Key} twice");
        Witnesses = witnesses;
    }
}

/// <summary>
/// The witness's side: <c>ClaimLedger:Witness:Name</c>, its Ed25519 key (<c>ClaimLedger:Witness:KeyPath</c>, created when
/// missing, or <c>:PrivateKeyPem</c>; the local runner keeps it in <c>.data/witness-key.pem</c>), and the logs it
/// witnesses, <c>ClaimLedger:Witness:Logs:&lt;n&gt;:VerifierKey</c>, each known by its origin (the key's name).
/// </summary>
public sealed class WitnessIdentity
{
    public NoteSigner? Cosigner { get; }
    public bool Enabled => Cosigner != null;
    public IReadOnlyDictionary<string, IReadOnlyList<NoteVerifierKey>> Logs { get; }

    public WitnessIdentity(IConfiguration configuration, LedgerDatabase database, ILogger<WitnessIdentity> logger)
    {
        var logs = new Dictionary<string, List<NoteVerifierKey>>(StringComparer.Ordinal);
        Logs = logs.ToDictionary(l => l.Key, l => (IReadOnlyList<NoteVerifierKey>)l.Value);
        var name = configuration["ClaimLedger:Witness:Name"];
        if (string.IsNullOrWhiteSpace(name)) return;
        if (!SignedNote.IsKeyName(name))
            throw new StartRefused($"ClaimLedger:Witness:Name '{name}' is not a key name: a schema-less URL such as witness.example/w1, without spaces or '+'");
        foreach (var section in configuration.GetSection("ClaimLedger:Witness:Logs").GetChildren())
        {
            if (NoteVerifierKey.Parse(section["VerifierKey"], out var reason) is not { Type: NoteKeyTypes.Ed25519 } key)
                throw new StartRefused($"ClaimLedger:Witness:Logs:{section.Key}:VerifierKey is not a log's Ed25519 verifier key: {reason ?? "its type is not 0x01"}");
            (logs.TryGetValue(key.Name, out var keys) ? keys : logs[key.Name] = []).Add(key);
        }
        var pem = configuration["ClaimLedger:Witness:PrivateKeyPem"];
        var path = configuration["ClaimLedger:Witness:KeyPath"];
        if (string.IsNullOrWhiteSpace(pem) && string.IsNullOrWhiteSpace(path) && database.SelfProvisioned)
            path = Path.Combine(LocalPostgres.DataRoot(), "witness-key.pem");
        var (signing, _, created) = PemKeys.Load(pem, path);
        if (signing is null)
            throw new StartRefused("ClaimLedger:Witness:Name is set but no witness key is: set ClaimLedger:Witness:KeyPath (created when missing) or :PrivateKeyPem");
        if (created) logger.LogInformation("Created the witness key {Path}", path);
        Cosigner = new NoteSigner(name, NoteKeyTypes.Cosignature, signing);
        Logs = logs.ToDictionary(l => l.Key, l => (IReadOnlyList<NoteVerifierKey>)l.Value);
        logger.LogInformation("This node witnesses {Count} log(s) as {Witness}", logs.Count, Cosigner.Verifier.Encoded);
    }
}
