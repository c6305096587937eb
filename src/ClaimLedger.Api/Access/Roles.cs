
namespace ClaimLedger.Access;

/// <summary>The roles of the contract and the authorisation policies built from them.</summary>
public static class Roles
{
    public const string Checker = "checker";
    public const string Reviewer = "reviewer";
    public const string Auditor = "auditor";
    public const string Admin = "admin";

    public static readonly string[] All = [Checker, Reviewer, Auditor, Admin];

    public static bool IsKnown(string role) => All.Contains(role);
}

/// <summary>Named policies: an endpoint says what it does, not which roles may do it.</summary>
public static class Policies
{
    /// <summary>Read claims, sources, figures and their histories.</summary>
    public const string Read = "read";
    /// <summary>Register sources and figures, submit claims, attach evidence, open disputes, correct, retract.</summary>
    public const string Check = "check";
    /// <summary>Record verdicts and resolve disputes.</summary>
    public const string Review = "review";
    /// <summary>Verify the ledger and export it.</summary>
    public const string Audit = "audit";
    /// <summary>Manage users and keys.</summary>
    public const string Administer = "administer";

    public static readonly IReadOnlyDictionary<string, string[]> RolesFor = new Dictionary<string, string[]>
    {
        [Read] = [Roles.Checker, Roles.Reviewer, Roles.Auditor],
        [Check] = [Roles.Checker, Roles.Reviewer],
        [Review] = [Roles.Reviewer],
        [Audit] = [Roles.Auditor],
        [Administer] = [Roles.Admin],
    };
}
