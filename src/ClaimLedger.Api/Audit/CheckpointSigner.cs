using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Storage;
using ClaimLedger.Local;

namespace ClaimLedger.Audit;

/// <summary>A signed tree head.</summary>
public sealed record Checkpoint(long TreeSize, string RootHash, DateTimeOffset RecordedAt, string Signature, string KeyId)
{
    /// <summary>
    /// The bytes signed: one line per field, so that any tool can rebuild them:
    /// <c>claimledger-checkpoint/v1\n{treeSize}\n{rootHash hex}\n{recordedAt, UTC, microseconds}\n</c>.
    /// </summary>
    public static byte[] SignedBytes(long treeSize, string rootHashHex, DateTimeOffset recordedAt) =>
        Encoding.UTF8.GetBytes($"claimledger-checkpoint/v1\n{treeSize.ToString(CultureInfo.InvariantCulture)}\n{rootHashHex}\n{LeafContent.FormatTime(recordedAt)}\n");
}

/// <summary>
/// Signs checkpoints with an ECDSA P-256 key kept outside the database: <c>ClaimLedger:Signing:KeyPath</c> (a PEM
/// file, created when missing) or <c>ClaimLedger:Signing:PrivateKeyPem</c>. The local runner keeps its key in
/// <c>.data/checkpoint-key.pem</c>. Signatures are DER, base64; the key id is the SHA-256 of the public key (SPKI), hex.
/// </summary>
public sealed class CheckpointSigner
{
    private readonly ECDsa? _key;
    public string? KeyId { get; }
    public string? PublicKeyPem { get; }
    public bool CanSign => _key != null;

    public CheckpointSigner(IConfiguration configuration, LedgerDatabase database, ILogger<CheckpointSigner> logger)
    {
        var pem = configuration["ClaimLedger:Signing:PrivateKeyPem"];
        var path = configuration["ClaimLedger:Signing:KeyPath"];
        if (string.IsNullOrWhiteSpace(pem) && string.IsNullOrWhiteSpace(path) && database.SelfProvisioned)
            path = Path.Combine(LocalPostgres.DataRoot(), "checkpoint-key.pem");
        if (string.IsNullOrWhiteSpace(pem) && !string.IsNullOrWhiteSpace(path))
        {
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                File.WriteAllText(path, fresh.ExportPkcs8PrivateKeyPem());
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.WriteAllText(Path.ChangeExtension(path, ".pub.pem"), fresh.ExportSubjectPublicKeyInfoPem());
                logger.LogInformation("Created the checkpoint signing key {Path}", path);
            }
            pem = File.ReadAllText(path);
        }
        if (string.IsNullOrWhiteSpace(pem))
        {
            logger.LogWarning("No checkpoint signing key is configured (ClaimLedger:Signing:KeyPath or PrivateKeyPem): no checkpoints will be made");
            return;
        }
        _key = ECDsa.Create();
        _key.ImportFromPem(pem);
        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem();
        KeyId = KeyIdOf(_key);
    }

    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public Checkpoint Sign(long treeSize, byte[] root, DateTimeOffset recordedAt)
    {
        if (_key is null) throw new InvalidOperationException("no signing key is configured");
        var rootHex = LeafContent.Hex(root);
        var signature = _key.SignData(Checkpoint.SignedBytes(treeSize, rootHex, recordedAt), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new Checkpoint(treeSize, rootHex, recordedAt, Convert.ToBase64String(signature), KeyId!);
    }

    public static bool Verify(Checkpoint checkpoint, ECDsa publicKey)
    {
        try
        {
            return KeyIdOf(publicKey) == checkpoint.KeyId &&
                   publicKey.VerifyData(Checkpoint.SignedBytes(checkpoint.TreeSize, checkpoint.RootHash, checkpoint.RecordedAt),
                       Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException) { return false; }
    }

    public ECDsa? PublicKey()
    {
        if (PublicKeyPem is null) return null;
        var key = ECDsa.Create();
        key.ImportFromPem(PublicKeyPem);
        return key;
    }
}
