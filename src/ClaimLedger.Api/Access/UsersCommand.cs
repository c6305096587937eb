using JasperFx.CommandLine;
using Marten;

namespace ClaimLedger.Access;

public sealed class UsersInput : NetCoreInput
{
    [Description("What to do: add")]
    public string Action { get; set; } = "";

    [Description("The user's name: the actor recorded on its events")]
    public string Name { get; set; } = "";

    [Description("checker, reviewer, auditor or admin")]
    [FlagAlias("role", 'r')]
    public string RoleFlag { get; set; } = Roles.Checker;
}

/// <summary><c>users add &lt;name&gt; --role &lt;role&gt;</c>: adds a user and prints its new key alone on the last line.</summary>
[Description("Manage users and their API keys", Name = "users")]
public sealed class UsersCommand : JasperFxAsyncCommand<UsersInput>
{
    public UsersCommand()
    {
        Usage("Add a user (or give it a new role) and issue a new API key").Arguments(x => x.Action, x => x.Name);
    }

    public override async Task<bool> Execute(UsersInput input)
    {
        if (input.Action != "add")
        {
            Console.Error.WriteLine($"unknown action '{input.Action}': use 'users add <name> --role <role>'");
            return false;
        }
        if (!Roles.IsKnown(input.RoleFlag))
        {
            Console.Error.WriteLine($"unknown role '{input.RoleFlag}': use one of {string.Join(", ", Roles.All)}");
            return false;
        }
        if (!UserNames.TryNormalise(input.Name, out var name, out var refusal))
        {
            Console.Error.WriteLine($"this name cannot be a user's name: {refusal}");
            return false;
        }
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        string key;
        try
        {
            key = await ApiKeys.IssueAsync(store, name, input.RoleFlag, TimeProvider.System);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"this name cannot be a user's name: {e.Message}");
            return false;
        }
        Console.WriteLine($"Added {name} ({input.RoleFlag}). Its API key, shown once:");
        Console.WriteLine(key);
        return true;
    }
}
