using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Audit;

namespace ClaimLedger.Tests.Audit;

public class LeafContentTests
{
    private static readonly LeafContent Content = new(Guid.Parse("01a20d49-460a-7191-aaf8-d711d2678436"), 3, "claim_submitted",
        """{"value": {"bound": "AtLeast", "amount": 242.50}, "quote": "l'attaqude « d'Alep »", "anchor": {"start": 1, "end": 2}, "tags": [{"z": 1, "a": null}]}""",
        "ann", "2024-11-29T10:00:00.000001Z");

    private const string Canonical =
        """{"actor":"ann","data":{"anchor":{"end":2,"start":1},"quote":"l'attaqude « d'Alep »","tags":[{"a":null,"z":1}],"value":{"amount":242.50,"bound":"AtLeast"}},"recordedAt":"2024-11-29T10:00:00.000001Z","streamId":"01a20d49-460a-7191-aaf8-d711d2678436","type":"claim_submitted","version":3}""";

    [Fact]
    public void Canonical_json_sorts_keys_at_every_depth_keeps_numbers_as_stored_and_escapes_minimally() =>
        Assert.Equal(Canonical, Encoding.UTF8.GetString(Content.CanonicalJson()));

    [Fact]
    public void Leaf_hash_is_the_rfc_6962_hash_of_the_canonical_json()
    {
        var expected = SHA256.HashData([0, .. Encoding.UTF8.GetBytes(Canonical)]);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Content.LeafHash()));
        Assert.Equal(Convert.ToHexString(MerkleTree.LeafHash(Content.CanonicalJson())), Convert.ToHexString(Content.LeafHash()));
    }
}
