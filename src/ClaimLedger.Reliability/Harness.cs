using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ClaimLedger.Access;
using Marten;
using Npgsql;
using ClaimLedger.Storage;
using ClaimLedger.Local;

namespace ClaimLedger.Reliability;

/// <summary>
/// What the long runs share: a database of their own, the API as a process of its own, its requests, and the checks
/// that close a run (the ledger verifies, a rebuild gives the live projections back).
/// </summary>
internal sealed partial class Harness(TextWriter log)
{
    private string _cs = "";
    private string _signingKey = "";
    private string _checkerKey = "", _auditorKey = "";

    private async Task PrepareAsync(string purpose)
    {
        var server = await LocalPostgres.EnsureServerAsync(m => log.WriteLine(m));
        _cs = await LocalPostgres.EnsureDatabaseAsync(server, $"clrel_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}_{purpose}");
        using var store = new DocumentStore(LedgerStore.For(_cs));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        _checkerKey = await ApiKeys.IssueAsync(store, "writer", Roles.Checker, TimeProvider.System);
        _auditorKey = await ApiKeys.IssueAsync(store, "auditor", Roles.Auditor, TimeProvider.System);
        _signingKey = ClaimLedger.Audit.Notes.PemKeys.NewEd25519Pem();
    }

    private Task<ApiProcess> StartAsync(IDictionary<string, string>? settings = null) => ApiProcess.StartAsync(_cs, _signingKey, _checkerKey, settings);

    private static async Task<(Guid Source, Guid[] Figures)> ArrangeAsync(ApiProcess api)
    {
        var source = await PostAsync(api.Http, "/api/sources", new { title = "Reliability", outlet = "Test", language = "fr", publishedAt = "2024-11-29", text = "au moins 242 victimes depuis mercredi" }, null);
        var figures = new Guid[4];
        for (var i = 0; i < figures.Length; i++)
            figures[i] = (await PostAsync(api.Http, "/api/figures", new { title = $"F{i}", metric = "deaths", unit = "people" }, null)).Id!.Value;
        return (source.Id!.Value, figures);
    }

    private sealed record Posted(int Status, Guid? Id);

    private static async Task<Posted> PostAsync(HttpClient http, string path, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey != null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request);
        Guid? id = null;
        if (response.IsSuccessStatusCode)
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (doc.RootElement.TryGetProperty("id", out var e)) id = e.GetGuid();
        }
        return new Posted((int)response.StatusCode, id);
    }

    private async Task<long> Verify(ApiProcess? running, List<string> failures)
    {
        var api = running is { Exited: false } ? running : await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/verify");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _auditorKey);
        using var response = await api.Http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!doc.RootElement.GetProperty("ok").GetBoolean()) failures.Add($"the ledger does not verify: {doc.RootElement}");
        if (!ReferenceEquals(api, running)) api.Kill();
        return doc.RootElement.GetProperty("eventsChecked").GetInt64();
    }

    /// <summary>With every node stopped: `projections rebuild`, then every document must be as it was live.</summary>
    private async Task RebuildMatchesAsync(Dictionary<string, Dictionary<string, string>> live, List<string> failures)
    {
        var rebuild = await RunCliAsync("projections", "rebuild");
        if (rebuild != 0) failures.Add($"projections rebuild exited {rebuild}");
        failures.AddRange(ProjectionSnapshot.Compare(live, await ProjectionSnapshot.TakeAsync(_cs)));
    }

    private async Task<int> RunCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClaimLedger.Api.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ConnectionStrings__ClaimLedger"] = _cs;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) await log.WriteLineAsync(await output + await errors);
        return p.ExitCode;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private async Task WaitAsync(string sql, Func<long, bool> done, TimeSpan timeout)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            if (done(Convert.ToInt64(await cmd.ExecuteScalarAsync()))) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(sql);
            await Task.Delay(50);
        }
    }

    private async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        var db = new NpgsqlConnectionStringBuilder(_cs).Database!;
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_cs) { Database = "postgres", Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        // A drop waits for the server to end the database's sessions and remove its files: on a busy machine that can
        // take longer than a command's default 30 s.
        await using var drop = new NpgsqlCommand($"drop database if exists \"{db}\" with (force)", conn) { CommandTimeout = 0 };
        await drop.ExecuteNonQueryAsync();
    }
}
