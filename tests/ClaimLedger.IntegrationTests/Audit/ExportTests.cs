using System.Text.Json;
using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Audit;

public class ExportTests : IAsyncLifetime
{
    private LedgerApi _api = null!;
    private List<Guid> _claims = [];

    public async Task InitializeAsync()
    {
        _api = await LedgerApi.StartAsync("export");
        _claims = await _api.SeedAsync(4);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task The_event_export_is_one_line_per_event_with_its_leaf_and_verifies_offline()
    {
        var export = await _api.Get("/api/export/events", LedgerApi.Auditor);
        export.Status.ShouldBe(200);
        export.ContentType.ShouldBe("application/x-ndjson");
        var lines = export.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe((int)await _api.ScalarAsync("select count(*) from claimledger.mt_events"));
        var first = JsonDocument.Parse(lines[0]).RootElement;
        first.GetProperty("leafIndex").GetInt64().ShouldBe(0);
        foreach (var field in new[] { "sequence", "leafHash", "streamId", "version", "type", "data", "actor", "recordedAt" })
            first.TryGetProperty(field, out _).ShouldBeTrue(field);
        var from = JsonDocument.Parse(lines[3]).RootElement.GetProperty("sequence").GetInt64();
        (await _api.Get($"/api/export/events?from={from}", LedgerApi.Auditor)).Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(lines.Length - 3);

        var folder = Directory.CreateTempSubdirectory("claimledger-verify-");
        try
        {
            var exportFile = Path.Combine(folder.FullName, "events.ndjson");
            var checkpointFile = Path.Combine(folder.FullName, "checkpoint.json");
            var keyFile = Path.Combine(folder.FullName, "key.pem");
            await File.WriteAllTextAsync(exportFile, export.Body);
            await File.WriteAllTextAsync(checkpointFile, (await _api.Get("/api/audit/checkpoints/latest", LedgerApi.Auditor)).Body);
            await File.WriteAllTextAsync(keyFile, (await _api.Get("/api/audit/public-key", LedgerApi.Auditor)).Json.GetProperty("publicKeyPem").GetString());

            var ok = await Verify(exportFile, checkpointFile, keyFile);
            ok.ExitCode.ShouldBe(0, ok.StandardOutput + ok.StandardError);
            JsonDocument.Parse(LastLine(ok.StandardOutput)).RootElement.GetProperty("ok").GetBoolean().ShouldBeTrue();

            // One character of one event changed in the export: the offline check names its leaf.
            var tampered = lines.ToArray();
            tampered[2] = tampered[2].Replace("\"note\":\"n", "\"note\":\"N");
            if (tampered[2] == lines[2]) tampered[2] = tampered[2].Replace("\"actor\":\"", "\"actor\":\"x");
            await File.WriteAllTextAsync(exportFile, string.Join('\n', tampered) + "\n");
            var caught = await Verify(exportFile, checkpointFile, keyFile);
            caught.ExitCode.ShouldNotBe(0);
            var report = JsonDocument.Parse(LastLine(caught.StandardOutput)).RootElement;
            report.GetProperty("ok").GetBoolean().ShouldBeFalse();
            report.GetProperty("firstBroken").GetProperty("leafIndex").GetInt64().ShouldBe(2);

            // A forged checkpoint (another key) is refused too.
            await File.WriteAllTextAsync(exportFile, export.Body);
            using (var other = ClaimLedger.Audit.Notes.PemKeys.NewEd25519()) await File.WriteAllTextAsync(keyFile, ClaimLedger.Audit.Notes.PemKeys.PublicPem(other));
            (await Verify(exportFile, checkpointFile, keyFile)).ExitCode.ShouldNotBe(0);
        }
        finally { folder.Delete(true); }
    }

    internal static string LastLine(string output) => output.TrimEnd().Split('\n').Last(l => l.TrimStart().StartsWith('{'));

    internal static Task<Repository.Outcome> Verify(string export, string checkpoint, string key) =>
        Repository.RunAsync("dotnet", [Repository.ApiAssembly, "verify", "--export", export, "--checkpoint", checkpoint, "--public-key", key],
            Repository.Root, new Dictionary<string, string> { ["ConnectionStrings__ClaimLedger"] = "Host=127.0.0.1;Port=1;Database=none;Timeout=1" });

    [Fact]
    public async Task ClaimReview_lists_every_claim_with_a_verdict_as_schema_org_JSON_LD()
    {
        var judged = _claims[1];
        (await _api.Post($"/api/claims/{judged}/verdict", new { verdict = "misleading", note = "the toll mixes fighters and civilians" }, LedgerApi.Reviewer)).Status.ShouldBe(200);
        var r = await _api.Get("/api/export/claimreview", LedgerApi.Auditor);
        r.Status.ShouldBe(200);
        r.ContentType.ShouldBe("application/ld+json");
        var review = r.Json.EnumerateArray().Single();
        review.GetProperty("@context").GetString().ShouldBe("https://schema.org");
        review.GetProperty("@type").GetString().ShouldBe("ClaimReview");
        review.GetProperty("claimReviewed").GetString().ShouldBe("au moins 242 victimes depuis mercredi");
        var item = review.GetProperty("itemReviewed");
        item.GetProperty("@type").GetString().ShouldBe("Claim");
        item.GetProperty("author").GetProperty("name").GetString().ShouldBe("originator 1");
        item.GetProperty("appearance").GetProperty("headline").GetString().ShouldBe("Test article");
        review.GetProperty("reviewRating").GetProperty("alternateName").GetString().ShouldBe("Misleading");
        review.GetProperty("author").GetProperty("name").GetString().ShouldBe("ClaimLedger demo newsroom");
        review.TryGetProperty("datePublished", out _).ShouldBeTrue();

        var figure = (await _api.Get($"/api/claims/{judged}")).Json.GetProperty("figureId").GetGuid();
        (await _api.Get($"/api/export/claimreview?figureId={figure}", LedgerApi.Auditor)).Json.GetArrayLength().ShouldBe(1);
        (await _api.Get($"/api/export/claimreview?figureId={Guid.NewGuid()}", LedgerApi.Auditor)).Json.GetArrayLength().ShouldBe(0);
        (await _api.Get("/api/export/claimreview?figureId=nope", LedgerApi.Auditor)).ProblemField.ShouldBe("figureId");
    }

    [Fact]
    public async Task The_revisions_of_a_figure_export_as_CSV()
    {
        var figure = (await _api.Get($"/api/claims/{_claims[0]}")).Json.GetProperty("figureId").GetGuid();
        var r = await _api.Get($"/api/figures/{figure}/revisions.csv", LedgerApi.Auditor);
        r.Status.ShouldBe(200);
        r.ContentType.ShouldBe("text/csv");
        var rows = r.Body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].ShouldStartWith("revision,recordedAt,actor,claimId");
        rows.Length.ShouldBe(1 + 8); // four claims, each added and given evidence
        rows[1].ShouldContain(",claim_added,");
        rows[1].ShouldContain(",at_least,");
        (await _api.Get($"/api/figures/{Guid.NewGuid()}/revisions.csv")).Status.ShouldBe(404);
    }
}
