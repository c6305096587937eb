using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Audit.Tlog;
using ClaimLedger.Audit.Witnessing;
using NSec.Cryptography;

namespace ClaimLedger.Tests.Audit;

/// <summary>The examples of the C2SP specifications and of Go's note package, byte for byte.</summary>
public class SignedNoteTests
{
    // golang.org/x/mod/sumdb/note's test key: "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz".
    private static Key PeterNeumann() =>
        Key.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString("810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173"), KeyBlobFormat.RawPrivateKey);

    [Fact]
    public void Signatures_key_IDs_and_verifier_keys_are_those_of_Go_s_note_package()
    {
        using var key = PeterNeumann();
        var signer = new NoteSigner("PeterNeumann", NoteKeyTypes.Ed25519, key);
        signer.Verifier.Encoded.ShouldBe("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
        const string text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
        var note = new SignedNote(text, [signer.Sign(text)]);
        note.ToString().ShouldBe(text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n");

        var parsed = SignedNote.Parse(note.ToString(), out _)!;
        var vkey = NoteVerifierKey.Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out _)!;
        vkey.Signed(parsed).ShouldBeTrue();
        vkey.Signed(parsed with { Text = text.Replace("answer", "question") }).ShouldBeFalse();
        // Go's note package refuses these keys too: a key ID that does not match, an unknown algorithm, a short key.
        NoteVerifierKey.Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out var reason).ShouldBeNull();
        reason!.ShouldContain("c74f20a3");
        NoteVerifierKey.Parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out _).ShouldBeNull();
        NoteVerifierKey.Parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", out _).ShouldBeNull();
        NoteVerifierKey.Parse("Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out _).ShouldBeNull();
    }

    [Fact]
    public void A_verifier_key_whose_base64_holds_a_plus_parses()
    {
        // Half of all keys have a '+' in their base64: the name and key ID end at the first two.
        for (var i = 0; i < 64; i++)
        {
            using var key = PemKeys.NewEd25519();
            var vkey = new NoteSigner("example.com/log", NoteKeyTypes.Ed25519, key).Verifier;
            if (!vkey.Encoded.Split('+', 3)[2].Contains('+')) continue;
            NoteVerifierKey.Parse(vkey.Encoded, out var reason).ShouldNotBeNull(reason).PublicKey.ShouldBe(vkey.PublicKey);
            return;
        }
        throw new InvalidOperationException("64 keys without a '+' in their base64");
    }

    [Fact]
    public void The_signed_note_example_separates_its_text_from_its_signature_at_the_last_blank_line()
    {
        const string example = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n" +
                               "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
        var note = SignedNote.Parse(example, out var reason)!;
        reason.ShouldBeNull();
        note.Text.ShouldBe("Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n");
        note.Signatures.Single().KeyName.ShouldBe("quasimodo.example/salvatore");
        note.Signatures.Single().KeyId.ShouldBe(0x367ba04bu);
        note.Signatures.Single().Signature.Length.ShouldBe(64);
        note.ToString().ShouldBe(example);
    }

    [Theory]
    [InlineData("text\n", "blank line")]
    [InlineData("text\n\n", "one signature")]
    [InlineData("text\n\n— name c2ln\n", "not a signature line")]
    [InlineData("text\n\n— name !!!!\n", "not a signature line")]
    [InlineData("text\n\n- name AAAAAAAA\n", "not a signature line")]
    [InlineData("te\u0001xt\n\n— name AAAAAAAA\n", "control")]
    [InlineData("text\n\n— name AAAAAAAA", "ends with a newline")]
    public void Malformed_notes_are_refused_with_a_reason(string note, string expected)
    {
        SignedNote.Parse(note, out var reason).ShouldBeNull();
        reason.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void The_checkpoint_and_cosignature_examples_parse_and_the_cosigned_message_is_the_documented_one()
    {
        const string body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        const string example = body + "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
                               "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
        var note = SignedNote.Parse(example, out _)!;
        var checkpoint = CheckpointBody.Parse(note.Text, out _)!;
        checkpoint.Origin.ShouldBe("example.com/behind-the-sofa");
        checkpoint.TreeSize.ShouldBe(20852163);
        Convert.ToBase64String(checkpoint.RootHash).ShouldBe("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
        CheckpointBody.Format(checkpoint.Origin, checkpoint.TreeSize, checkpoint.RootHash).ShouldBe(body);

        // The cosignature: key ID, then the timestamp of tlog-cosignature's example message, then 64 bytes.
        var cosignature = note.Signatures[1];
        cosignature.Signature.Length.ShouldBe(72);
        var time = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(cosignature.Signature);
        time.ShouldBe(1679315147);
        System.Text.Encoding.UTF8.GetString(NoteSigner.CosignedMessage(note.Text, time))
            .ShouldBe("cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");

        CheckpointBody.Parse("example.com/log\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", out _).ShouldBeNull();
        CheckpointBody.Parse("example.com/log\n5\nCsUYapGGPo4dkMgI\n", out _).ShouldBeNull();
        CheckpointBody.Parse("example.com/log\n5\n", out _).ShouldBeNull();
        CheckpointBody.Parse("example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nextension\n", out _)!.TreeSize.ShouldBe(5);
    }

    [Fact]
    public void A_cosignature_verifies_with_the_witness_key_at_its_time_and_not_otherwise()
    {
        using var key = PemKeys.NewEd25519();
        var cosigner = new NoteSigner("witness.example/w1", NoteKeyTypes.Cosignature, key);
        cosigner.Verifier.Encoded.ShouldStartWith("witness.example/w1+");
        Convert.FromBase64String(cosigner.Verifier.Encoded.Split('+', 3)[2])[0].ShouldBe((byte)0x04);
        const string text = "example.com/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        var line = cosigner.Cosign(text, 1_700_000_000);
        cosigner.Verifier.Verifies(text, line, out var time).ShouldBeTrue();
        time.ShouldBe(1_700_000_000);
        cosigner.Verifier.Verifies(text.Replace("\n3\n", "\n4\n"), line, out _).ShouldBeFalse();
        var bytes = line.Signature.ToArray();
        bytes[7] ^= 1; // another time than the one signed
        cosigner.Verifier.Verifies(text, line with { Signature = bytes }, out _).ShouldBeFalse();
        // The same key as a log key (type 0x01) has another key ID: a cosignature is never taken for a log signature.
        new NoteVerifierKey("witness.example/w1", NoteKeyTypes.Ed25519, cosigner.Verifier.PublicKey).KeyId.ShouldNotBe(cosigner.Verifier.KeyId);
    }

    [Fact]
    public void The_tlog_witness_request_example_parses_and_formats_back()
    {
        const string example = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n" +
                               "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\n" +
                               "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n" +
                               "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
                               "— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";
        var request = AddCheckpointRequest.Parse(example, out _)!;
        request.OldSize.ShouldBe(20852014);
        request.Proof.Count.ShouldBe(4);
        SignedNote.Parse(request.Checkpoint, out _)!.Signatures.Count.ShouldBe(2);
        request.Format().ShouldBe(example);

        AddCheckpointRequest.Parse("old 01\n\nx", out _).ShouldBeNull();
        AddCheckpointRequest.Parse("old 1\nnotbase64!\n\nx", out _).ShouldBeNull();
        AddCheckpointRequest.Parse("old 1\nAAAA\n\nx", out _).ShouldBeNull();
        AddCheckpointRequest.Parse("old 1\n" + string.Concat(Enumerable.Repeat("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n", 64)) + "\nx", out var reason).ShouldBeNull();
        reason!.ShouldContain("63");
    }

    [Fact]
    public void The_tlog_proof_example_parses_and_formats_back()
    {
        const string example = "c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\nindex 73894\n" +
                               "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\nB95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\nEKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n" +
                               "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\nAHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n\n" +
                               "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n— example.com/fancylog hI2DJw1roloI=\n";
        var proof = TlogProof.Parse(example, out var reason)!;
        reason.ShouldBeNull();
        proof.Index.ShouldBe(73894);
        proof.Path.Count.ShouldBe(5);
        proof.Extra.ShouldNotBeNull();
        // The example's signatures are elided ("hI2DJw[...]"): its checkpoint text is read alone.
        CheckpointBody.Parse(proof.Checkpoint[..(proof.Checkpoint.IndexOf("\n\n", StringComparison.Ordinal) + 1)], out _)!.TreeSize.ShouldBe(109482);
        proof.Format().ShouldBe(example);
        TlogProof.Parse("c2sp.org/tlog-proof@v2\nindex 1\n\nx", out _).ShouldBeNull();
        TlogProof.Parse("c2sp.org/tlog-proof@v1\nindex 01\n\nx", out _).ShouldBeNull();
    }

    [Theory]
    [InlineData("0/000", 0, 0L, null)]
    [InlineData("0/x001/x234/067", 0, 1234067L, null)]
    [InlineData("1/005.p/17", 1, 5L, 17)]
    [InlineData("2/x001/000.p/1", 2, 1000L, 1)]
    [InlineData("63/000", 63, 0L, null)]
    public void Tile_paths_are_the_tlog_tiles_ones(string path, int level, long index, int? width)
    {
        var tile = TileAddress.Parse(path)!;
        tile.ShouldBe(new TileAddress(level, index, width));
        tile.Path.ShouldBe(path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("00/000")]
    [InlineData("64/000")]
    [InlineData("0/0")]
    [InlineData("0/1234")]
    [InlineData("0/x000/001")]
    [InlineData("0/001/002")]
    [InlineData("0/x1/002")]
    [InlineData("0/000.p/0")]
    [InlineData("0/000.p/256")]
    [InlineData("0/000.p/01")]
    [InlineData("0/000.p")]
    [InlineData("0/x999/x999/x999/x999/x999/x999/x999/999")]
    [InlineData("entries/000")]
    public void Any_other_tile_path_is_refused(string path) => TileAddress.Parse(path).ShouldBeNull();
}
