using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace ClaimLedger.Audit.Notes;

/// <summary>The signature types of c2sp.org/signed-note that ClaimLedger signs and verifies.</summary>
public static class NoteKeyTypes
{
    /// <summary>Ed25519 over the note text: the log's checkpoints.</summary>
    public const byte Ed25519 = 0x01;
    /// <summary>Timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature).</summary>
    public const byte Cosignature = 0x04;
}

/// <summary>
/// A note verifier key (vkey): <c>&lt;name&gt;+&lt;key ID, 8 hex digits&gt;+&lt;base64(type || public key)&gt;</c>, the key ID
/// being <c>SHA-256(name || 0x0A || type || public key)[:4]</c> as c2sp.org/signed-note recommends and
/// c2sp.org/tlog-cosignature requires.
/// </summary>
public sealed record NoteVerifierKey(string Name, byte Type, byte[] PublicKey)
{
    public uint KeyId { get; } = KeyIdOf(Name, Type, PublicKey);
    public string KeyIdHex => KeyId.ToString("x8", CultureInfo.InvariantCulture);
    public string Encoded => $"{Name}+{KeyIdHex}+{Convert.ToBase64String([Type, .. PublicKey])}";
    public override string ToString() => Encoded;

    public static uint KeyIdOf(string name, byte type, ReadOnlySpan<byte> publicKey)
    {
        var input = new List<byte>(Encoding.UTF8.GetBytes(name)) { 0x0A, type };
        input.AddRange(publicKey.ToArray());
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input.ToArray()));
    }

    public static NoteVerifierKey? Parse(string? vkey, out string? reason)
    {
        reason = null;
        // The base64 key may hold '+' itself: the name and the key ID end at the first two.
        var parts = (vkey ?? "").Trim().Split('+', 3);
        if (parts.Length != 3) return Fail("a verifier key is <name>+<key ID>+<base64 key>", out reason);
        var (name, id, encoded) = (parts[0], parts[1], parts[2]);
        if (!SignedNote.IsKeyName(name)) return Fail("the key name is empty or holds a space", out reason);
        if (id.Length != 8 || !uint.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
            return Fail("the key ID is 8 hex digits", out reason);
        byte[] bytes;
        try { bytes = Convert.FromBase64String(encoded); }
        catch (FormatException) { return Fail("the key is not base64", out reason); }
        if (bytes.Length != 33 || bytes[0] is not (NoteKeyTypes.Ed25519 or NoteKeyTypes.Cosignature))
            return Fail("the key is not an Ed25519 key of type 0x01 or 0x04 (33 bytes)", out reason);
        var key = new NoteVerifierKey(name, bytes[0], bytes[1..]);
        if (key.KeyId != keyId) return Fail($"the key ID is {key.KeyIdHex} for this name and key, not {id}", out reason);
        return key;
    }

    private static NoteVerifierKey? Fail(string why, out string? reason)
    {
        reason = why;
        return null;
    }

    /// <summary>Whether this key made <paramref name="signature"/> over the note text; its time, for a cosignature.</summary>
    public bool Verifies(string text, NoteSignature signature, out long? timestamp)
    {
        timestamp = null;
        if (signature.KeyName != Name || signature.KeyId != KeyId) return false;
        var publicKey = NSec.Cryptography.PublicKey.Import(SignatureAlgorithm.Ed25519, PublicKey, KeyBlobFormat.RawPublicKey);
        if (Type == NoteKeyTypes.Ed25519)
            return signature.Signature.Length == 64 && SignatureAlgorithm.Ed25519.Verify(publicKey, Encoding.UTF8.GetBytes(text), signature.Signature);
        if (signature.Signature.Length != 72) return false;
        var time = BinaryPrimitives.ReadUInt64BigEndian(signature.Signature);
        if (time > long.MaxValue) return false;
        var verified = SignatureAlgorithm.Ed25519.Verify(publicKey, NoteSigner.CosignedMessage(text, (long)time), signature.Signature.AsSpan(8));
        if (verified) timestamp = (long)time;
        return verified;
    }

    /// <summary>Whether one of the note's signatures is this key's and verifies.</summary>
    public bool Signed(SignedNote note) => note.Signatures.Any(s => Verifies(note.Text, s, out _));
}

/// <summary>An Ed25519 key that signs notes under a name: checkpoints (type 0x01) or witness cosignatures (type 0x04).</summary>
public sealed class NoteSigner(string name, byte type, Key key)
{
    public NoteVerifierKey Verifier { get; } = new(name, type, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public NoteSignature Sign(string text)
    {
        if (type != NoteKeyTypes.Ed25519) throw new InvalidOperationException("a cosigner signs with a time: use Cosign");
        return new NoteSignature(name, Verifier.KeyId, SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A tlog-cosignature v1: <c>u64 timestamp || Ed25519 signature</c> of the cosigned message.</summary>
    public NoteSignature Cosign(string text, long timestamp)
    {
        if (type != NoteKeyTypes.Cosignature) throw new InvalidOperationException("a log signs without a time: use Sign");
        var signature = new byte[72];
        BinaryPrimitives.WriteUInt64BigEndian(signature, (ulong)timestamp);
        SignatureAlgorithm.Ed25519.Sign(key, CosignedMessage(text, timestamp), signature.AsSpan(8));
        return new NoteSignature(name, Verifier.KeyId, signature);
    }

    /// <summary><c>cosignature/v1\ntime &lt;t&gt;\n</c> followed by the checkpoint's note text.</summary>
    public static byte[] CosignedMessage(string text, long timestamp) =>
        Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp.ToString(CultureInfo.InvariantCulture)}\n{text}");
}
