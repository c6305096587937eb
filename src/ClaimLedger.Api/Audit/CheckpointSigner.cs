using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Storage;
using ClaimLedger.Local;
using NSec.Cryptography;

namespace ClaimLedger.Audit;

/// <summary>
/// A signed tree head. Since the switch to c2sp.org/tlog-checkpoint it is a signed note: <see cref="Origin"/> is set,
/// <see cref="Signature"/> is the Ed25519 signature of <see cref="NoteText"/> and <see cref="KeyId"/> the note key ID
/// (8 hex digits); <see cref="Note"/> is the whole note with the witnesses' cosignatures. Checkpoints signed before have
/// no origin: an ECDSA P-256 signature (DER) of <see cref="SignedBytes"/>, the key ID the SHA-256 of the key (SPKI).
/// </summary>
public sealed record Checkpoint(long TreeSize, string RootHash, DateTimeOffset RecordedAt, string Signature, string KeyId)
{
    public string? Origin { get; init; }
    public string? Note { get; init; }

    /// <summary>
    /// The bytes signed before the switch: one line per field, so that any tool can rebuild them:
    /// <c>claimledger-checkpoint/v1\n{treeSize}\n{rootHash hex}\n{recordedAt, UTC, microseconds}\n</c>.
    /// </summary>
    public static byte[] SignedBytes(long treeSize, string rootHashHex, DateTimeOffset recordedAt) =>
        Encoding.UTF8.GetBytes($"claimledger-checkpoint/v1\n{treeSize.ToString(CultureInfo.InvariantCulture)}\n{rootHashHex}\n{LeafContent.FormatTime(recordedAt)}\n");

    /// <summary>The checkpoint's note text (origin, size, base64 root); null for one signed before the switch.</summary>
    public string? NoteText() => Origin is null ? null : CheckpointBody.Format(Origin, TreeSize, Convert.FromHexString(RootHash));

    /// <summary>The log's own signature line on the note.</summary>
    public NoteSignature? LogSignature() => Origin is null
        ? null
        : new NoteSignature(Origin, uint.Parse(KeyId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), Convert.FromBase64String(Signature));

    /// <summary>The signed note: the log's signature, then the cosignature lines given.</summary>
    public string? NoteWith(IEnumerable<string> cosignatureLines)
    {
        if (NoteText() is not { } text) return null;
        var note = new StringBuilder(text).Append('\n').Append(LogSignature()!.Line).Append('\n');
        foreach (var line in cosignatureLines) note.Append(line).Append('\n');
        return note.ToString();
    }
}

/// <summary>The public keys a ledger's checkpoints are verified with: Ed25519 ones, and P-256 ones from before the switch.</summary>
public sealed class CheckpointKeys(IReadOnlyList<byte[]> ed25519, IReadOnlyList<ECDsa> p256)
{
    public bool Verifies(Checkpoint checkpoint)
    {
        try
        {
            if (checkpoint.Origin is { } origin)
                return ed25519.Select(k => new NoteVerifierKey(origin, NoteKeyTypes.Ed25519, k))
                    .Any(k => k.KeyIdHex == checkpoint.KeyId && k.Verifies(checkpoint.NoteText()!, checkpoint.LogSignature()!, out _));
            var signature = Convert.FromBase64String(checkpoint.Signature);
            return p256.Any(key => CheckpointSigner.KeyIdOf(key) == checkpoint.KeyId &&
                key.VerifyData(Checkpoint.SignedBytes(checkpoint.TreeSize, checkpoint.RootHash, checkpoint.RecordedAt),
                    signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
        catch (FormatException) { return false; }
    }
}

/// <summary>
/// Signs checkpoints as signed notes with an Ed25519 key kept outside the database: <c>ClaimLedger:Signing:KeyPath</c>
/// (PKCS#8 PEM, created when missing) or <c>ClaimLedger:Signing:PrivateKeyPem</c>; the local runner keeps its key in
/// <c>.data/checkpoint-key.pem</c>. The key file may also hold the P-256 key that signed checkpoints before the switch:
/// those stay verifiable with it. The key name is the log's origin, <c>ClaimLedger:Ledger:Origin</c>.
/// </summary>
public sealed class CheckpointSigner
{
    private readonly NoteSigner? _signer;
    public string Origin { get; }
    public NoteVerifierKey? VerifierKey => _signer?.Verifier;
    public string? KeyId => VerifierKey?.KeyIdHex;
    public string? PublicKeyPem { get; }
    public bool CanSign => _signer != null;
    /// <summary>Every key this ledger's checkpoints may carry.</summary>
    public CheckpointKeys Keys { get; }
    /// <summary>The PEM public keys of the P-256 keys that signed checkpoints before the switch.</summary>
    public IReadOnlyList<string> EarlierKeys { get; }

    public CheckpointSigner(IConfiguration configuration, LedgerDatabase database, ILogger<CheckpointSigner> logger)
    {
        Origin = LedgerOrigin.Of(configuration, database);
        var pem = configuration["ClaimLedger:Signing:PrivateKeyPem"];
        var path = configuration["ClaimLedger:Signing:KeyPath"];
        if (string.IsNullOrWhiteSpace(pem) && string.IsNullOrWhiteSpace(path) && database.SelfProvisioned)
            path = Path.Combine(LocalPostgres.DataRoot(), "checkpoint-key.pem");
        var (signing, ring, created) = PemKeys.Load(pem, path);
        if (created) logger.LogInformation("Added an Ed25519 checkpoint signing key to {Path}", path);
        Keys = new CheckpointKeys(ring.AllEd25519Public.ToList(), ring.P256);
        EarlierKeys = ring.P256.Select(k => k.ExportSubjectPublicKeyInfoPem()).ToList();
        if (signing is null)
        {
            logger.LogWarning("No Ed25519 checkpoint signing key is configured (ClaimLedger:Signing:KeyPath or PrivateKeyPem): no checkpoints will be made");
            return;
        }
        _signer = new NoteSigner(Origin, NoteKeyTypes.Ed25519, signing);
        PublicKeyPem = PemKeys.PublicPem(signing);
    }

    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public Checkpoint Sign(long treeSize, byte[] root, DateTimeOffset recordedAt)
    {
        if (_signer is null) throw new InvalidOperationException("no signing key is configured");
        var signature = _signer.Sign(CheckpointBody.Format(Origin, treeSize, root));
        var checkpoint = new Checkpoint(treeSize, LeafContent.Hex(root), recordedAt, Convert.ToBase64String(signature.Signature), KeyId!) { Origin = Origin };
        return checkpoint with { Note = checkpoint.NoteWith([]) };
    }
}

/// <summary>The log's origin: <c>ClaimLedger:Ledger:Origin</c>, else <c>claimledger.localhost/&lt;database&gt;</c>.</summary>
public static class LedgerOrigin
{
    public static string Of(IConfiguration configuration, LedgerDatabase database)
    {
        var configured = configuration["ClaimLedger:Ledger:Origin"];
        var origin = string.IsNullOrWhiteSpace(configured)
            ? "claimledger.localhost/" + new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString).Database
            : configured.Trim();
        if (!SignedNote.IsKeyName(origin))
            throw new Hosting.StartRefused($"ClaimLedger:Ledger:Origin '{origin}' is not a log origin: a schema-less URL such as newsroom.example/ledger, without spaces or '+'");
        return origin;
    }
}
