using ClaimLedger.Access;
using ClaimLedger.Claims;
using JasperFx.Events;

namespace ClaimLedger.Tests.Access;

/// <summary>The rules of users and keys, every command and every refusal, without a database.</summary>
public class AccessRulesTests
{
    private static readonly DateTimeOffset T0 = new(2024, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private static UserAccount User(string name, string role, params Guid[] keys) =>
        UserAccount.Folding(null, [new UserAdded(name, role), .. keys.Select(k => (object)new KeyIssued(name, k, "clk_abcd"))], "adam", T0)!;

    private static readonly Guid AdamKey = Guid.NewGuid(), CarlaKey = Guid.NewGuid();
    private static readonly IReadOnlyList<UserAccount> Users = [User("adam", Roles.Admin, AdamKey), User("Chloé", Roles.Checker, CarlaKey)];

    private static Refusal Refused(AccessCommand command, IReadOnlyList<UserAccount>? users = null)
    {
        var decision = AccessRules.Decide(users ?? Users, command);
        decision.Events.ShouldBeEmpty();
        return decision.Refusal.ShouldNotBeNull();
    }

    [Fact]
    public void Adding_a_user_records_it_and_its_first_key_by_id_and_prefix_only()
    {
        var key = Guid.NewGuid();
        var decision = AccessRules.Decide(Users, new AddUser("  Rita ", Roles.Reviewer, key, "clk_wxyz"));
        decision.Refusal.ShouldBeNull();
        decision.Events.ShouldBe([new UserAdded("Rita", Roles.Reviewer), new KeyIssued("Rita", key, "clk_wxyz")]);
    }

    [Theory]
    [InlineData("editor", 400, "role")]
    [InlineData("", 400, "role")]
    public void An_unknown_role_is_400_naming_role(string role, int status, string field)
    {
        var refusal = Refused(new AddUser("rita", role, Guid.NewGuid(), "clk_wxyz"));
        (refusal.Status, refusal.Field).ShouldBe((status, field));
        Refused(new ChangeRole("adam", role)).Field.ShouldBe("role");
    }

    [Theory]
    [InlineData("line\nbreak", "control character")]
    [InlineData("Сhloé", "two scripts")]
    [InlineData("  ", "needs a name")]
    public void A_name_the_rules_refuse_is_422_naming_name(string name, string reason)
    {
        var refusal = Refused(new AddUser(name, Roles.Checker, Guid.NewGuid(), "clk_wxyz"));
        (refusal.Status, refusal.Field).ShouldBe((422, "name"));
        refusal.Reason.ShouldContain(reason);
    }

    [Theory]
    [InlineData("Chloé", "already named")]
    [InlineData("Chloe\u0301", "already named")]
    [InlineData("chloe", "cannot be told apart from the user 'Chloé'")]
    [InlineData("CHLOÉ", "cannot be told apart from the user 'Chloé'")]
    public void A_name_taken_or_looking_like_one_is_409_naming_name(string name, string reason)
    {
        var refusal = Refused(new AddUser(name, Roles.Checker, Guid.NewGuid(), "clk_wxyz"));
        (refusal.Status, refusal.Field).ShouldBe((409, "name"));
        refusal.Reason.ShouldContain(reason);
    }

    [Fact]
    public void Every_command_on_an_unknown_user_is_404_naming_name()
    {
        foreach (var command in new AccessCommand[]
                 {
                     new IssueKey("nobody", Guid.NewGuid(), "clk_wxyz"), new RotateKeys("nobody", Guid.NewGuid(), "clk_wxyz"),
                     new RevokeKey("nobody", AdamKey), new ChangeRole("nobody", Roles.Auditor),
                 })
            (Refused(command).Status, Refused(command).Field).ShouldBe((404, "name"), command.GetType().Name);
    }

    [Fact]
    public void A_key_is_revoked_once_and_only_a_key_of_that_user()
    {
        AccessRules.Decide(Users, new RevokeKey("Chloé", CarlaKey)).Events.ShouldBe([new KeyRevoked("Chloé", CarlaKey)]);
        var other = Refused(new RevokeKey("Chloé", AdamKey));
        (other.Status, other.Field).ShouldBe((404, "keyId"));
        var revoked = UserAccount.Folding(Users[1], [new KeyRevoked("Chloé", CarlaKey)], "adam", T0)!;
        var again = Refused(new RevokeKey("Chloé", CarlaKey), [Users[0], revoked]);
        (again.Status, again.Field).ShouldBe((409, "keyId"));
        again.Reason.ShouldContain("already revoked");
    }

    [Fact]
    public void Rotating_issues_a_key_and_revokes_every_other_that_is_not_revoked()
    {
        var second = Guid.NewGuid();
        var chloe = UserAccount.Folding(Users[1], [new KeyIssued("Chloé", second, "clk_2222"), new KeyRevoked("Chloé", second)], "adam", T0)!;
        var third = Guid.NewGuid();
        AccessRules.Decide([Users[0], chloe], new RotateKeys("Chloé", third, "clk_3333")).Events
            .ShouldBe([new KeyIssued("Chloé", third, "clk_3333"), new KeyRevoked("Chloé", CarlaKey)]);
    }

    [Fact]
    public void A_role_changes_to_another_role_and_the_last_admin_keeps_its_own()
    {
        AccessRules.Decide(Users, new ChangeRole("Chloé", Roles.Reviewer)).Events.ShouldBe([new RoleChanged("Chloé", Roles.Checker, Roles.Reviewer)]);
        var same = Refused(new ChangeRole("Chloé", Roles.Checker));
        (same.Status, same.Field).ShouldBe((409, "role"));
        var last = Refused(new ChangeRole("adam", Roles.Auditor));
        (last.Status, last.Field).ShouldBe((409, "role"));
        last.Reason.ShouldContain("last admin");
        AccessRules.Decide([.. Users, User("ada", Roles.Admin)], new ChangeRole("adam", Roles.Auditor)).Refusal.ShouldBeNull();
    }

    [Fact]
    public void An_account_folds_its_events_as_the_projection_does()
    {
        var key = Guid.NewGuid();
        var account = UserAccount.Folding(Users[1], [new RoleChanged("Chloé", Roles.Checker, Roles.Auditor), new KeyIssued("Chloé", key, "clk_9999"),
            new KeyRevoked("Chloé", CarlaKey)], "root", T0.AddHours(1))!;
        account.Role.ShouldBe(Roles.Auditor);
        account.Version.ShouldBe(5);
        account.Keys.Select(k => (k.KeyId, k.Revoked, k.RevokedBy)).ShouldBe([(CarlaKey, true, "root"), (key, false, null)]);
        account.Id.ShouldBe(UserAccount.StreamIdOf("Chloé"));
        UserAccount.Create(new Event<UserAdded>(new UserAdded("Chloé", Roles.Checker)) { UserName = "adam", Timestamp = T0 }).Id.ShouldBe(account.Id);
    }

    [Fact]
    public void A_users_stream_id_follows_from_its_name()
    {
        UserAccount.StreamIdOf("Chloé").ShouldBe(UserAccount.StreamIdOf("Chloé"));
        UserAccount.StreamIdOf("Chloé").ShouldNotBe(UserAccount.StreamIdOf("chloé"));
        UserAccount.StreamIdOf("Chloé").ToString()[14].ShouldBe('8'); // an RFC 9562 version 8 UUID
    }
}
