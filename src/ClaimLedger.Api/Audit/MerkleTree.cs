using System.Security.Cryptography;

namespace ClaimLedger.Audit;

/// <summary>
/// RFC 6962 Merkle tree hashing, proofs and proof verification (the verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2).
/// The tree is read through <see cref="Subtree"/>: the hash of the perfect subtree of 2^level leaves starting at
/// leaf index × 2^level — leaves are level 0 — so a stored tree answers any root or proof from O(log n) nodes.
/// </summary>
public sealed class MerkleTree(Func<int, long, byte[]> subtree)
{
    public static readonly byte[] EmptyRoot = SHA256.HashData([]);

    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[data.Length + 1];
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The largest power of two smaller than n (n ≥ 2): RFC 6962's split point.</summary>
    public static long Split(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));

    private byte[] Subtree(int level, long index) => subtree(level, index);

    /// <summary>MTH(D[a:b]).</summary>
    public byte[] Hash(long a, long b)
    {
        var n = b - a;
        if (n == 0) return EmptyRoot;
        if (long.IsPow2(n) && a % n == 0) return Subtree(63 - (int)long.LeadingZeroCount(n), a / n);
        var k = Split(n);
        return NodeHash(Hash(a, a + k), Hash(a + k, b));
    }

    public byte[] Root(long size) => Hash(0, size);

    /// <summary>PATH(m, D[0:n]): the audit path of leaf m in the tree of the first n leaves.</summary>
    public List<byte[]> InclusionPath(long m, long n)
    {
        if (m < 0 || m >= n) throw new ArgumentOutOfRangeException(nameof(m), "the leaf must be inside the tree");
        var path = new List<byte[]>();
        Path(m, 0, n, path);
        return path;
    }

    private void Path(long m, long a, long b, List<byte[]> path)
    {
        if (b - a == 1) return;
        var k = Split(b - a);
        if (m - a < k) { Path(m, a, a + k, path); path.Add(Hash(a + k, b)); }
        else { Path(m, a + k, b, path); path.Add(Hash(a, a + k)); }
    }

    /// <summary>PROOF(m, D[0:n]): proves the tree of m leaves is a prefix of the tree of n leaves.</summary>
    public List<byte[]> ConsistencyProof(long m, long n)
    {
        if (m < 1 || m > n) throw new ArgumentOutOfRangeException(nameof(m), "need 1 ≤ from ≤ to");
        var proof = new List<byte[]>();
        if (m < n) SubProof(m, 0, n, true, proof);
        return proof;
    }

    private void SubProof(long m, long a, long b, bool whole, List<byte[]> proof)
    {
        var n = b - a;
        if (m == n)
        {
            if (!whole) proof.Add(Hash(a, b));
            return;
        }
        var k = Split(n);
        if (m <= k) { SubProof(m, a, a + k, whole, proof); proof.Add(Hash(a + k, b)); }
        else { SubProof(m - k, a + k, b, false, proof); proof.Add(Hash(a, a + k)); }
    }

    /// <summary>RFC 9162 §2.1.3.2.</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, byte[] leafHash, IReadOnlyList<byte[]> path, byte[] root)
    {
        if (leafIndex < 0 || leafIndex >= treeSize) return false;
        long fn = leafIndex, sn = treeSize - 1;
        var r = leafHash;
        foreach (var p in path)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else r = NodeHash(r, p);
            fn >>= 1; sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2.</summary>
    public static bool VerifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 1 || first > second) return false;
        if (first == second) return proof.Count == 0 && firstRoot.AsSpan().SequenceEqual(secondRoot);
        var path = proof.ToList();
        if (path.Count == 0) return false;
        if (long.IsPow2(first)) path.Insert(0, firstRoot);
        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1) { fn >>= 1; sn >>= 1; }
        byte[] fr = path[0], sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else sr = NodeHash(sr, c);
            fn >>= 1; sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }
}

/// <summary>A tree held in memory: leaf hashes, with the perfect subtrees computed (and kept) on demand.</summary>
public sealed class MemoryMerkleTree
{
    private readonly List<byte[]> _leaves = [];
    private readonly Dictionary<(int, long), byte[]> _nodes = new();

    public MemoryMerkleTree(IEnumerable<byte[]>? leafHashes = null)
    {
        if (leafHashes != null) _leaves.AddRange(leafHashes);
        Tree = new MerkleTree(Subtree);
    }

    public MerkleTree Tree { get; }
    public long Size => _leaves.Count;
    public void Add(byte[] leafHash) => _leaves.Add(leafHash);

    private byte[] Subtree(int level, long index)
    {
        if (level == 0) return _leaves[(int)index];
        if (_nodes.TryGetValue((level, index), out var known)) return known;
        return _nodes[(level, index)] = MerkleTree.NodeHash(Subtree(level - 1, 2 * index), Subtree(level - 1, 2 * index + 1));
    }
}
