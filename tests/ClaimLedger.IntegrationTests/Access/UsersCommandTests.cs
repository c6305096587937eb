using ClaimLedger.Access;
using ClaimLedger.IntegrationTests.Audit;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Access;

public class UsersCommandTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private Task<Repository.Outcome> Users(params string[] args) =>
        Repository.RunAsync("dotnet", [Repository.ApiAssembly, "users", .. args], Repository.Root,
            new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = Api.ConnectionString });

    [Fact]
    public async Task Users_add_prints_a_key_alone_on_its_last_line_and_the_key_works_for_its_role()
    {
        var name = $"cli-{Guid.NewGuid():N}"[..12];
        var outcome = await Users("add", name, "--role", "auditor");
        outcome.ExitCode.ShouldBe(0, outcome.StandardOutput + outcome.StandardError);
        var key = outcome.StandardOutput.TrimEnd().Split('\n').Last().Trim();
        key.ShouldStartWith("clk_");
        key.ShouldNotContain(" ");

        (await Api.Get("/api/sources", user: key)).Status.ShouldBe(200);
        (await Api.Post("/api/sources", new { title = "t" }, user: key)).Status.ShouldBe(403);
    }

    [Fact]
    public async Task Users_add_refuses_an_unknown_role()
    {
        var outcome = await Users("add", "someone", "--role", "editor");
        outcome.ExitCode.ShouldNotBe(0);
        outcome.StandardError.ShouldContain("unknown role");
    }

    public static TheoryData<string, string> RefusedNames => new()
    {
        { "Chloé\u200B", "U+200B (an invisible format character)" },
        { "\u202Eevil", "U+202E (an invisible format character)" },
        { "Сhloé", "two scripts (Cyrillic and Latin)" },
        { "line\nbreak", "U+000A (a control character)" },
        { "tab\there", "U+0009 (a control character)" },
        { "bell\u0001", "U+0001 (a control character)" },
        { new string('a', 5000), "at most 64 characters (this one has 5000)" },
    };

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public async Task Users_add_refuses_an_invisible_control_mixed_script_or_overlong_name_with_a_message_and_adds_no_one(string name, string reason)
    {
        var outcome = await Users("add", name, "--role", "checker");
        outcome.ExitCode.ShouldNotBe(0, outcome.StandardOutput);
        outcome.StandardError.ShouldContain("this name cannot be a user's name:");
        outcome.StandardError.ShouldContain(reason);
        await using var session = Api.Store.QuerySession();
        (await session.LoadAsync<UserAccount>(UserAccount.StreamIdOf(name))).ShouldBeNull();
        (await session.LoadAsync<UserAccount>(UserAccount.StreamIdOf(name.Trim().Normalize()))).ShouldBeNull();
    }

    [Fact]
    public async Task Users_add_stores_a_name_in_NFC_and_refuses_one_that_looks_like_an_existing_user()
    {
        var suffix = string.Concat(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(6));
        var decomposed = await Users("add", $"Chloe\u0301 {suffix}", "--role", "checker");
        decomposed.ExitCode.ShouldBe(0, decomposed.StandardOutput + decomposed.StandardError);
        var key = decomposed.StandardOutput.TrimEnd().Split('\n').Last().Trim();
        await using (var session = Api.Store.QuerySession())
        {
            (await session.LoadAsync<UserAccount>(UserAccount.StreamIdOf($"Chloé {suffix}"))).ShouldNotBeNull("stored in NFC");
            (await session.LoadAsync<UserAccount>(UserAccount.StreamIdOf($"Chloe\u0301 {suffix}"))).ShouldBeNull();
        }
        // The same name, composed or not, is the same user: it is not added twice.
        var again = await Users("add", $"Chloé {suffix}", "--role", "checker");
        again.ExitCode.ShouldNotBe(0);
        again.StandardError.ShouldContain($"a user is already named 'Chloé {suffix}'");

        foreach (var lookAlike in new[] { $"chloe {suffix}", $"CHLOÉ {suffix.ToUpperInvariant()}" })
        {
            var refused = await Users("add", lookAlike, "--role", "checker");
            refused.ExitCode.ShouldNotBe(0, refused.StandardOutput);
            refused.StandardError.ShouldContain($"cannot be told apart from the user 'Chloé {suffix}'");
        }

        // The key works, and the actor it records is the name in NFC.
        var source = await Api.Source(user: key);
        (await Api.Get($"/api/sources/{source}")).Status.ShouldBe(200);
        (await Api.ScalarAsync("select count(*) from claimledger.mt_events where stream_id = @source and user_name = @actor",
            ("source", source), ("actor", $"Chloé {suffix}"))).ShouldBe(1);
    }

    [Fact]
    public async Task A_key_of_a_user_stored_with_an_invisible_character_in_its_name_records_nothing()
    {
        // A user added before names were checked, or written to the database by hand, past the rules.
        var key = NewApiKey.Create();
        var name = $"legacy\u200B{Guid.NewGuid():N}";
        var id = UserAccount.StreamIdOf(name);
        await using (var session = Api.Store.LightweightSession())
        {
            await ClaimLedger.Storage.LedgerTransaction.BeginAsync(session, default);
            session.Events.StartStream<UserAccount>(id, new UserAdded(name, Roles.Checker), new KeyIssued(name, key.Id, key.Prefix));
            session.QueueSqlCommand($"insert into {UserDirectory.KeyHashes} (hash, key_id, user_id) values (?, ?, ?)", key.Hash, key.Id, id);
            await session.SaveChangesAsync();
        }
        var r = await Api.Post("/api/sources", new { title = "t", outlet = "o", language = "fr", publishedAt = "2024-11-29" }, key.Key);
        r.Status.ShouldBe(401, r.Body);
        r.ProblemField.ShouldBe("Authorization");
        r.Json.GetProperty("detail").GetString()!.ShouldContain("cannot record");
        (await Api.ScalarAsync("select count(*) from claimledger.mt_events where user_name = @name", ("name", name))).ShouldBe(0);
    }

    [Fact]
    public async Task Users_rotate_role_list_and_revoke_change_keys_as_the_operator_and_never_print_a_key_again()
    {
        var name = $"ops-{Guid.NewGuid():N}"[..12];
        var added = await Users("add", name, "--role", "checker");
        added.ExitCode.ShouldBe(0, added.StandardOutput + added.StandardError);
        var first = LastLine(added);
        (await Api.Get("/api/sources", first)).Status.ShouldBe(200);

        var rotated = await Users("rotate", name);
        rotated.ExitCode.ShouldBe(0, rotated.StandardOutput + rotated.StandardError);
        rotated.StandardOutput.ShouldContain("revoked 1 other");
        var second = LastLine(rotated);
        second.ShouldStartWith("clk_");
        await Eventually.RefusedWithinAsync(() => Api.Get("/api/sources", first), TimeSpan.FromSeconds(1));
        (await Api.Get("/api/sources", second)).Status.ShouldBe(200);

        var role = await Users("role", name, "--role", "auditor");
        role.ExitCode.ShouldBe(0, role.StandardOutput + role.StandardError);
        role.StandardOutput.ShouldContain($"{name} is now auditor");
        await Eventually.WithinAsync(async () => (await Api.Post("/api/sources", new { title = "t" }, second)).Status == 403, TimeSpan.FromSeconds(1));

        var listed = await Users("list");
        listed.ExitCode.ShouldBe(0, listed.StandardError);
        listed.StandardOutput.ShouldContain($"{name} (auditor)");
        listed.StandardOutput.ShouldContain(second[..8]);
        foreach (var key in new[] { first, second })
        {
            listed.StandardOutput.ShouldNotContain(key);
            listed.StandardOutput.ShouldNotContain(ApiKeys.Hash(key));
        }

        var unknown = await Users("revoke", name, "clk_none");
        unknown.ExitCode.ShouldNotBe(0);
        unknown.StandardError.ShouldContain("has no key that is not revoked");
        var revoked = await Users("revoke", name, second[..8]);
        revoked.ExitCode.ShouldBe(0, revoked.StandardOutput + revoked.StandardError);
        await Eventually.RefusedWithinAsync(() => Api.Get("/api/sources", second), TimeSpan.FromSeconds(1));

        // Every change is an event of the user's stream, with the operator as its actor and no key or hash in it.
        var events = await Api.ScalarsAsync("select type || ' ' || coalesce(user_name, '') || ' ' || data::text from claimledger.mt_events where stream_id = @id order by version",
            ("id", UserAccount.StreamIdOf(name)));
        events.Select(e => e.Split(' ')[0]).ShouldBe(["user_added", "key_issued", "key_issued", "key_revoked", "role_changed", "key_revoked"]);
        events.ShouldAllBe(e => e.Split(' ', 3)[1].StartsWith("cli:"));
        foreach (var secret in new[] { first, second }.SelectMany(k => new[] { k[4..], ApiKeys.Hash(k) }))
            events.ShouldAllBe(e => !e.Contains(secret));
    }

    private static string LastLine(Repository.Outcome outcome) => outcome.StandardOutput.TrimEnd().Split('\n').Last().Trim();
}
