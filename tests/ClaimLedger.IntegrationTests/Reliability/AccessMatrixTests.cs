using ClaimLedger.IntegrationTests.Support;
using static ClaimLedger.IntegrationTests.Reliability.Routes;

namespace ClaimLedger.IntegrationTests.Reliability;

/// <summary>Every route × every role, no key and a bad key.</summary>
public class AccessMatrixTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    private static readonly Dictionary<string, string> UserOfRole = new()
    {
        ["checker"] = LedgerApi.OtherChecker, ["reviewer"] = LedgerApi.OtherReviewer, ["auditor"] = LedgerApi.Auditor, ["admin"] = LedgerApi.Admin,
    };

    [Fact]
    public async Task Every_route_admits_exactly_its_roles_and_no_one_without_a_valid_key()
    {
        var failures = new List<string>();
        foreach (var route in All)
        {
            foreach (var (role, user) in UserOfRole)
            {
                var ids = await FreshIdsAsync(route.OwnClaim && route.Roles.Contains(role) ? user : LedgerApi.Checker);
                var r = await SendAsync(route, ids, user);
                var allowed = route.Roles.Contains(role);
                if (allowed && r.Status is 401 or 403 || !allowed && r.Status != 403 || r.Status >= 500)
                    failures.Add($"{route.Method} {route.Path} as {role}: {r.Status} {r.Body}");
            }
            var anyIds = await FreshIdsAsync(LedgerApi.Checker);
            foreach (var key in new string?[] { null, "clk_forged", "" })
            {
                var r = await SendAsync(route, anyIds, key);
                if (r.Status != 401 || r.ContentType != "application/problem+json") failures.Add($"{route.Method} {route.Path} with key '{key}': {r.Status}");
            }
        }
        failures.ShouldBeEmpty();
    }

    private async Task<Dictionary<string, string>> FreshIdsAsync(string submitter)
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var claim = await Api.Claim(source, figure, user: submitter);
        var dispute = (await Api.Post($"/api/claims/{claim}/disputes", new { reason = "r" }, LedgerApi.Checker)).Json.GetProperty("disputeId").GetString()!;
        return new() { ["{source}"] = source.ToString(), ["{figure}"] = figure.ToString(), ["{claim}"] = claim.ToString(), ["{dispute}"] = dispute };
    }

    private Task<ApiResponse> SendAsync(Route route, Dictionary<string, string> ids, string? user)
    {
        string Fill(string s) => ids.Aggregate(s, (acc, id) => acc.Replace(id.Key, id.Value));
        return Api.Send(new HttpMethod(route.Method), Fill(route.Path), route.Body is null ? null : Fill(route.Body), user);
    }
}
