using System.Security.Cryptography;
using NSec.Cryptography;

namespace ClaimLedger.Audit.Notes;

/// <summary>What a PEM text holds: Ed25519 private keys (PKCS#8), Ed25519 public keys (SPKI), and P-256 keys.</summary>
public sealed record KeyRing(IReadOnlyList<Key> Ed25519, IReadOnlyList<byte[]> Ed25519Public, IReadOnlyList<ECDsa> P256)
{
    /// <summary>The raw public key of every Ed25519 key, private or public.</summary>
    public IEnumerable<byte[]> AllEd25519Public => Ed25519.Select(k => k.PublicKey.Export(KeyBlobFormat.RawPublicKey)).Concat(Ed25519Public);
}

/// <summary>
/// Reads and makes the key files: one PEM text may hold several keys, so that a key file keeps the keys that signed
/// earlier checkpoints beside the one that signs now. The .NET base library has no Ed25519; NSec (libsodium) does it.
/// </summary>
public static class PemKeys
{
    // PKCS#8 and SPKI name their algorithm by OID; Ed25519's is 1.3.101.112 (DER 06 03 2B 65 70), RFC 8410.
    private static readonly byte[] Ed25519Oid = [0x06, 0x03, 0x2B, 0x65, 0x70];

    // The key is written to its file once it is made, and read from there: plain export is what that takes.
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    public static KeyRing Read(string pem)
    {
        var ed25519 = new List<Key>();
        var ed25519Public = new List<byte[]>();
        var p256 = new List<ECDsa>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            var isEd25519 = der.AsSpan(0, Math.Min(der.Length, 16)).IndexOf(Ed25519Oid) >= 0;
            switch (label)
            {
                case "PRIVATE KEY" when isEd25519:
                    ed25519.Add(Key.Import(SignatureAlgorithm.Ed25519, der, KeyBlobFormat.PkixPrivateKey, Exportable));
                    break;
                case "PUBLIC KEY" when isEd25519:
                    ed25519Public.Add(NSec.Cryptography.PublicKey.Import(SignatureAlgorithm.Ed25519, der, KeyBlobFormat.PkixPublicKey)
                        .Export(KeyBlobFormat.RawPublicKey));
                    break;
                case "PRIVATE KEY" or "EC PRIVATE KEY" or "PUBLIC KEY":
                    var key = ECDsa.Create();
                    key.ImportFromPem(rest[fields.Location].ToString());
                    p256.Add(key);
                    break;
                default:
                    throw new FormatException($"a key file holds PRIVATE KEY and PUBLIC KEY blocks, not {label}");
            }
            rest = rest[fields.Location.End..];
        }
        return new KeyRing(ed25519, ed25519Public, p256);
    }

    public static Key NewEd25519() => Key.Create(SignatureAlgorithm.Ed25519, Exportable);

    /// <summary>A new Ed25519 private key, PKCS#8 PEM.</summary>
    public static string NewEd25519Pem()
    {
        using var key = NewEd25519();
        return PrivatePem(key);
    }

    public static string PrivatePem(Key key) => PemEncoding.WriteString("PRIVATE KEY", key.Export(KeyBlobFormat.PkixPrivateKey)) + "\n";

    public static string PublicPem(Key key) => PemEncoding.WriteString("PUBLIC KEY", key.PublicKey.Export(KeyBlobFormat.PkixPublicKey)) + "\n";

    /// <summary>
    /// The Ed25519 key of a key file (<paramref name="path"/>) or of a setting (<paramref name="pem"/>), the file created
    /// when missing. A file without an Ed25519 private key (a P-256 key from before the switch) gets one added after the
    /// keys it holds, which stay there to verify what they signed. The last Ed25519 private key signs.
    /// </summary>
    public static (Key? Signing, KeyRing Ring, bool Created) Load(string? pem, string? path)
    {
        var created = false;
        if (string.IsNullOrWhiteSpace(pem) && !string.IsNullOrWhiteSpace(path))
        {
            var existing = File.Exists(path) ? File.ReadAllText(path) : null;
            if (existing is null || Read(existing).Ed25519.Count == 0)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                var kept = string.IsNullOrWhiteSpace(existing) ? "" : existing.TrimEnd() + "\n";
                File.WriteAllText(path, kept + NewEd25519Pem());
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                created = true;
            }
            pem = File.ReadAllText(path);
        }
        if (string.IsNullOrWhiteSpace(pem)) return (null, new KeyRing([], [], []), false);
        var ring = Read(pem);
        return (ring.Ed25519.LastOrDefault(), ring, created);
    }
}
