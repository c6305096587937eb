using System.Security.Cryptography;
using ClaimLedger.Audit;

namespace ClaimLedger.Tests.Audit;

public class MerkleTreeTests
{
    // The Certificate Transparency reference leaves and tree heads (RFC 6962 test vectors).
    private static readonly byte[][] ReferenceLeaves =
        new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }
        .Select(Convert.FromHexString).ToArray();

    private static readonly string[] ReferenceRoots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static MemoryMerkleTree Reference() => new(ReferenceLeaves.Select(l => MerkleTree.LeafHash(l)));

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    [Fact]
    public void Roots_match_the_published_tree_heads_for_every_size()
    {
        var tree = Reference();
        for (var n = 0; n <= 8; n++) Hex(tree.Tree.Root(n)).ShouldBe(ReferenceRoots[n], $"size {n}");
    }

    [Theory]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void Inclusion_paths_match_the_published_vectors(long index, long size, string expected)
    {
        var tree = Reference();
        var path = tree.Tree.InclusionPath(index, size);
        string.Join(",", path.Select(Hex)).ShouldBe(expected);
        MerkleTree.VerifyInclusion(index, size, MerkleTree.LeafHash(ReferenceLeaves[index]), path, Convert.FromHexString(ReferenceRoots[size])).ShouldBeTrue();
    }

    [Theory]
    [InlineData(2, 8, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    public void Consistency_proofs_match_the_published_vectors(long from, long to, string expected)
    {
        var tree = Reference();
        var proof = tree.Tree.ConsistencyProof(from, to);
        string.Join(",", proof.Select(Hex)).ShouldBe(expected);
        MerkleTree.VerifyConsistency(from, to, Convert.FromHexString(ReferenceRoots[from]), Convert.FromHexString(ReferenceRoots[to]), proof).ShouldBeTrue();
    }

    // ---- An independent implementation, written straight from RFC 6962 §2.1 over lists, to check against. ----
    private static byte[] Mth(IReadOnlyList<byte[]> d)
    {
        if (d.Count == 0) return SHA256.HashData([]);
        if (d.Count == 1) return SHA256.HashData([0, .. d[0]]);
        var k = 1; while (k * 2 < d.Count) k *= 2;
        return SHA256.HashData([1, .. Mth(d.Take(k).ToList()), .. Mth(d.Skip(k).ToList())]);
    }

    private static List<byte[]> PathOf(int m, IReadOnlyList<byte[]> d)
    {
        if (d.Count == 1) return [];
        var k = 1; while (k * 2 < d.Count) k *= 2;
        return m < k ? [.. PathOf(m, d.Take(k).ToList()), Mth(d.Skip(k).ToList())]
                     : [.. PathOf(m - k, d.Skip(k).ToList()), Mth(d.Take(k).ToList())];
    }

    private static List<byte[]> SubProofOf(int m, IReadOnlyList<byte[]> d, bool b)
    {
        if (m == d.Count) return b ? [] : [Mth(d)];
        var k = 1; while (k * 2 < d.Count) k *= 2;
        return m <= k ? [.. SubProofOf(m, d.Take(k).ToList(), b), Mth(d.Skip(k).ToList())]
                      : [.. SubProofOf(m - k, d.Skip(k).ToList(), false), Mth(d.Take(k).ToList())];
    }

    [Fact]
    public void Every_root_path_and_proof_agrees_with_an_independent_implementation_and_verifies()
    {
        var data = Enumerable.Range(0, 40).Select(i => new[] { (byte)i, (byte)(i * 7) }).ToList();
        var tree = new MemoryMerkleTree(data.Select(d => MerkleTree.LeafHash(d)));
        for (var n = 1; n <= data.Count; n++)
        {
            var prefix = data.Take(n).ToList();
            var root = Mth(prefix);
            Hex(tree.Tree.Root(n)).ShouldBe(Hex(root), $"root {n}");
            for (var m = 0; m < n; m++)
            {
                var path = tree.Tree.InclusionPath(m, n);
                path.Select(Hex).ShouldBe(PathOf(m, prefix).Select(Hex), $"path {m}/{n}");
                MerkleTree.VerifyInclusion(m, n, MerkleTree.LeafHash(data[m]), path, root).ShouldBeTrue();
                MerkleTree.VerifyInclusion(m, n, MerkleTree.LeafHash([99]), path, root).ShouldBeFalse();
                if (n > 1) MerkleTree.VerifyInclusion((m + 1) % n, n, MerkleTree.LeafHash(data[m]), path, root).ShouldBeFalse();
            }
            for (var m = 1; m <= n; m++)
            {
                var proof = tree.Tree.ConsistencyProof(m, n);
                proof.Select(Hex).ShouldBe((m == n ? new List<byte[]>() : SubProofOf(m, prefix, true)).Select(Hex), $"proof {m}/{n}");
                MerkleTree.VerifyConsistency(m, n, Mth(data.Take(m).ToList()), root, proof).ShouldBeTrue($"consistency {m}/{n}");
                if (m < n) MerkleTree.VerifyConsistency(m, n, Mth(data.Skip(1).Take(m).ToList()), root, proof).ShouldBeFalse();
            }
        }
    }

    [Fact]
    public void The_split_is_the_largest_power_of_two_below_n()
    {
        MerkleTree.Split(2).ShouldBe(1);
        MerkleTree.Split(3).ShouldBe(2);
        MerkleTree.Split(8).ShouldBe(4);
        MerkleTree.Split(9).ShouldBe(8);
        MerkleTree.Split(1000).ShouldBe(512);
    }
}
