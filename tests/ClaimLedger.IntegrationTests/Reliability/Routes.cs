
namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>Every route of the API and the roles that may use it: the access matrix and the fuzzer walk this list.</summary>
public static class Routes
{
    /// <summary>A route; <paramref name="OwnClaim"/>: the claim must be the caller's own (corrections and retractions are).</summary>
    public sealed record Route(string Method, string Path, string[] Roles, string? Body = null, bool OwnClaim = false);

    private static readonly string[] Readers = ["checker", "reviewer", "auditor"];
    private static readonly string[] Checkers = ["checker", "reviewer"];
    private static readonly string[] Reviewers = ["reviewer"];
    private static readonly string[] Auditors = ["auditor"];
    private static readonly string[] Admins = ["admin"];

    /// <summary>{claim}, {figure}, {source}, {dispute} are replaced by real ids.</summary>
    public static readonly Route[] All =
    [
        new("POST", "/api/sources", Checkers, """{"title":"t","outlet":"o","language":"fr","publishedAt":"2024-11-29"}"""),
        new("GET", "/api/sources", Readers),
        new("GET", "/api/sources/{source}", Readers),
        new("GET", "/api/sources/{source}/claims", Readers),
        new("POST", "/api/figures", Checkers, """{"title":"t","metric":"deaths","unit":"people"}"""),
        new("GET", "/api/figures", Readers),
        new("GET", "/api/figures/{figure}", Readers),
        new("GET", "/api/figures/{figure}/revisions", Readers),
        new("GET", "/api/figures/{figure}/revisions.csv", Readers),
        new("POST", "/api/claims", Checkers, """{"sourceId":"{source}","quote":"242","attributedTo":"OSDH"}"""),
        new("GET", "/api/claims?q=osdh", Readers),
        new("GET", "/api/reviews/pending", Reviewers),
        new("GET", "/api/claims/{claim}", Readers),
        new("GET", "/api/claims/{claim}/events", Readers),
        new("POST", "/api/claims/{claim}/evidence", Checkers, """{"sourceId":"{source}","stance":"supports","note":"n"}"""),
        new("POST", "/api/claims/{claim}/disputes", Checkers, """{"reason":"r"}"""),
        new("POST", "/api/claims/{claim}/disputes/{dispute}/resolution", Reviewers, """{"outcome":"rejected","note":"n"}"""),
        new("POST", "/api/claims/{claim}/verdict", Reviewers, """{"verdict":"verified","note":"n"}"""),
        new("POST", "/api/claims/{claim}/corrections", Checkers, """{"attributedTo":"SOHR","reason":"r"}""", OwnClaim: true),
        new("POST", "/api/claims/{claim}/retraction", Checkers, """{"reason":"r"}""", OwnClaim: true),
        new("GET", "/api/audit/verify", Auditors),
        new("GET", "/api/audit/checkpoints/latest", Readers),
        new("GET", "/api/audit/checkpoints", Readers),
        new("GET", "/api/audit/public-key", Readers),
        new("GET", "/api/audit/proofs/inclusion?leafIndex=0", Readers),
        new("GET", "/api/audit/proofs/consistency?from=1", Readers),
        new("GET", "/api/audit/leaves/0", Readers),
        new("GET", "/api/audit/leaves/0/proof", Readers),
        new("GET", "/api/export/events", Auditors),
        new("GET", "/api/export/claimreview", Auditors),
        // Users and keys: routes that change no one the other tests act as (a role change would).
        new("GET", "/api/users", Admins),
        new("POST", "/api/users", Admins, """{"name":"matrix","role":"auditor"}"""),
        new("POST", "/api/users/adam/keys", Admins),
        new("DELETE", "/api/users/adam/keys/00000000-0000-0000-0000-000000000001", Admins),
    ];
}
