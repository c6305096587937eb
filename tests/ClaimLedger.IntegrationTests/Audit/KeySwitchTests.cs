using System.Security.Cryptography;
using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.IntegrationTests.Support;
using Npgsql;

namespace ClaimLedger.IntegrationTests.Audit;

/// <summary>From P-256 checkpoints to Ed25519 notes: the key file keeps the old key, and what it signed stays verifiable.</summary>
public class KeySwitchTests
{
    [Fact]
    public async Task A_key_file_from_before_the_switch_gains_an_Ed25519_key_and_its_P256_checkpoints_stay_verifiable()
    {
        var folder = Directory.CreateTempSubdirectory("claimledger-keys-");
        try
        {
            using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var keyFile = Path.Combine(folder.FullName, "checkpoint-key.pem");
            await File.WriteAllTextAsync(keyFile, p256.ExportPkcs8PrivateKeyPem());
            await using var api = await LedgerApi.StartAsync("keyswitch", new Dictionary<string, string>
            {
                ["ClaimLedger:Signing:PrivateKeyPem"] = "", ["ClaimLedger:Signing:KeyPath"] = keyFile,
            });
            var ring = PemKeys.Read(await File.ReadAllTextAsync(keyFile));
            ring.P256.Count.ShouldBe(1);
            ring.Ed25519.Count.ShouldBe(1);
            var published = (await api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json;
            published.GetProperty("earlierKeys")[0].GetString().ShouldBe(p256.ExportSubjectPublicKeyInfoPem());
            NoteVerifierKey.Parse(published.GetProperty("verifierKey").GetString(), out _)!.PublicKey.ShouldBe(ring.AllEd25519Public.Single());

            // The first checkpoints as the P-256 key signed them before the switch; the later ones as notes.
            await api.SeedAsync(3);
            var leaves = new List<byte[]>();
            await using (var conn = new NpgsqlConnection(api.ConnectionString))
            {
                await conn.OpenAsync();
                await using var read = new NpgsqlCommand("select leaf_hash from claimledger.ledger_leaves order by leaf_index", conn);
                await using var reader = await read.ExecuteReaderAsync();
                while (await reader.ReadAsync()) leaves.Add((byte[])reader[0]);
            }
            var tree = new MemoryMerkleTree(leaves);
            foreach (var size in new long[] { 1, 3 })
            {
                var at = DateTimeOffset.Parse("2024-11-29T10:00:00.123456Z");
                var root = LeafContent.Hex(tree.Tree.Root(size));
                var signature = p256.SignData(Checkpoint.SignedBytes(size, root, at), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                await api.ExecuteAsync($"delete from claimledger.ledger_checkpoints where tree_size = {size}");
                await api.ExecuteAsync("insert into claimledger.ledger_checkpoints (tree_size, root_hash, recorded_at, signature, key_id, origin) " +
                                       $"values ({size}, '\\x{root}', '2024-11-29T10:00:00.123456Z', '\\x{Convert.ToHexString(signature)}', '{CheckpointSigner.KeyIdOf(p256)}', null)");
            }
            var report = (await api.Get("/api/audit/verify", LedgerApi.Auditor)).Json;
            report.GetProperty("ok").GetBoolean().ShouldBeTrue(report.ToString());
            report.GetProperty("checkpoint").GetProperty("origin").GetString().ShouldNotBeNull();
            (await api.Get("/api/audit/leaves/0/proof?treeSize=3")).Status.ShouldBe(404, "a P-256 checkpoint is no note");

            // A P-256 checkpoint whose signature was changed is caught, naming the key.
            await api.ExecuteAsync("update claimledger.ledger_checkpoints set signature = set_byte(signature, 10, get_byte(signature, 10) # 1) where tree_size = 3");
            var broken = (await api.Get("/api/audit/verify", LedgerApi.Auditor)).Json;
            broken.GetProperty("ok").GetBoolean().ShouldBeFalse();
            broken.GetProperty("firstBroken").GetProperty("reason").GetString()!.ShouldContain($"tree size 3 does not carry a valid signature of key {CheckpointSigner.KeyIdOf(p256)}");
        }
        finally { folder.Delete(true); }
    }
}
