using ClaimLedger.Audit;
using ClaimLedger.Audit.Notes;
using ClaimLedger.Audit.Tlog;

namespace ClaimLedger.Tests.Audit;

public class TlogPolicyTests
{
    private static string Key(string name, byte type)
    {
        using var key = PemKeys.NewEd25519();
        return new NoteSigner(name, type, key).Verifier.Encoded;
    }

    private static string Witness(string name) => Key(name, NoteKeyTypes.Cosignature);

    /// <summary>tlog-policy's example: two groups of three, two of the X witnesses and one of the Y witnesses.</summary>
    [Fact]
    public void The_example_policy_needs_two_X_witnesses_and_one_Y_witness()
    {
        var text = $"""
                    # tlog-policy's example
                    log {Key("example.com/log", NoteKeyTypes.Ed25519)}

                    witness X1 {Witness("x1.example")}
                    witness X2 {Witness("x2.example")}	https://x2.example/
                    witness X3 {Witness("x3.example")}
                    group X-witnesses 2 X1 X2 X3

                    witness Y1 {Witness("y1.example")}
                    witness Y2 {Witness("y2.example")}
                    witness Y3 {Witness("y3.example")}
                    group Y-witnesses any Y1 Y2 Y3

                    group X-and-Y all X-witnesses Y-witnesses
                    quorum X-and-Y
                    """;
        var policy = TlogPolicy.Parse(text, out var reason).ShouldNotBeNull(reason);
        policy.Logs.Single().Name.ShouldBe("example.com/log");
        policy.Witnesses.Count.ShouldBe(6);
        policy.QuorumMet(new HashSet<string> { "X1", "X3", "Y2" }).ShouldBeTrue();
        policy.QuorumMet(new HashSet<string> { "X1", "Y1", "Y2", "Y3" }).ShouldBeFalse();
        policy.QuorumMet(new HashSet<string> { "X1", "X2", "X3" }).ShouldBeFalse();
        policy.QuorumMet(new HashSet<string>()).ShouldBeFalse();
        TlogPolicy.Parse("quorum none\n", out _)!.QuorumMet(new HashSet<string>()).ShouldBeTrue();
    }

    [Theory]
    [InlineData("witness A {w}\n", "no quorum")]
    [InlineData("quorum A\n", "not a witness or group defined above")]
    [InlineData("group G any A\nwitness A {w}\nquorum G\n", "not a witness or group defined above")]
    [InlineData("witness A {w}\ngroup G 2 A\nquorum G\n", "threshold")]
    [InlineData("witness A {w}\ngroup G 0 A\nquorum G\n", "threshold")]
    [InlineData("witness A {w}\ngroup G any A A\nquorum G\n", "twice")]
    [InlineData("witness A {w}\ngroup G any none\nquorum G\n", "not a witness or group")]
    [InlineData("witness A {w}\nwitness A {w2}\nquorum A\n", "already defined")]
    [InlineData("witness A {w}\nquorum A\nquorum A\n", "one quorum")]
    [InlineData("witness A {log}\nquorum A\n", "0x04")]
    [InlineData("log {w}\nquorum none\n", "0x01")]
    [InlineData("witness A {w}\nwitnesses B {w2}\nquorum A\n", "not a policy line")]
    public void A_malformed_policy_is_refused_with_the_line_and_the_reason(string template, string expected)
    {
        var text = template.Replace("{w}", Witness("a.example")).Replace("{w2}", Witness("b.example")).Replace("{log}", Key("example.com/log", NoteKeyTypes.Ed25519));
        TlogPolicy.Parse(text, out var reason).ShouldBeNull();
        reason.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void The_same_witness_key_twice_is_refused()
    {
        var w = Witness("a.example");
        TlogPolicy.Parse($"witness A {w}\nwitness B {w}\nquorum A\n", out var reason).ShouldBeNull();
        reason.ShouldNotBeNull().ShouldContain("twice");
    }
}
