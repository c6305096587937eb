using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Web;

namespace ClaimLedger.Benchmarks;

internal sealed partial class Run
{
    private async Task StartApiAsync()
    {
        var key = await ApiKeys.IssueAsync(_store, "bench", Roles.Reviewer, TimeProvider.System);
        _api = await ClaimLedger.Reliability.ApiProcess.StartAsync(_cs, _signingKey, key, BenchmarkProgram.ApiSettings(Environment.GetEnvironmentVariables(), variant));
        _http = _api.Http;
        _loopback = new LoopbackClient(_http.BaseAddress!, _http.DefaultRequestHeaders.Authorization!.ToString());
    }

    private async Task<Guid> PostAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body, JsonSetup.Options);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return doc.RootElement.TryGetProperty("id", out var id) ? id.GetGuid() : Guid.Empty;
    }

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private static string SubmissionBody(Guid source, Guid figure, string originator, int amount) =>
        $"{{\"sourceId\":\"{source}\",\"quote\":\"au moins 242 victimes depuis mercredi\",\"attributedTo\":\"{originator}\",\"figureId\":\"{figure}\",\"value\":{{\"amount\":{amount},\"bound\":\"at_least\"}},\"validFrom\":\"2024-11-27\"}}";

    private static Guid CreatedId(string location) => Guid.Parse(location.AsSpan(location.LastIndexOf('/') + 1));

    /// <summary>
    /// One claim submission through the loopback client, on the worker's own connection and thread: the body written
    /// as text, the new claim's id taken from the Location header (building and parsing JSON would be the load
    /// generator's CPU, taken from what it measures).
    /// </summary>
    private Guid Submit(int worker, Guid source, Guid figure, string originator, int amount)
    {
        var response = _loopback!.Post(worker, "/api/claims", SubmissionBody(source, figure, originator, amount));
        if (response.Status != 201 || response.Location is not { } location)
            throw new InvalidOperationException($"/api/claims: {response.Status} {response.Problem}");
        return CreatedId(location);
    }

    /// <summary>The same submission through .NET's HttpClient, for the row that shows what a heavier client costs the machine.</summary>
    private async Task<Guid> SubmitThroughHttpClientAsync(Guid source, Guid figure, string originator, int amount)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(SubmissionBody(source, figure, originator, amount)));
        content.Headers.ContentType = Json;
        using var response = await _http.PostAsync("/api/claims", content);
        if (response.StatusCode != System.Net.HttpStatusCode.Created || response.Headers.Location is not { } location)
            throw new InvalidOperationException($"/api/claims: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return CreatedId(location.OriginalString);
    }

    /// <summary>ClaimLedger over HTTP: claim submissions at each of the mode's client counts and on a hot figure, then lifecycle writes.</summary>
    private async Task HttpWritesAsync(double martenAlone, double rawInsert)
    {
        await log.WriteLineAsync("4. ClaimLedger over HTTP (loopback, keep-alive)");
        var (source, claims, submit, submitThroughHttpClient) = await SubmissionsAsync();

        foreach (var clients in mode.HttpClients)
        {
            var rate = await Measure.ThroughputAsync(clients, mode.Duration, mode.Warmup, submit);
            Add("HTTP", $"claim submissions, {clients} clients", rate, "claims/s", note: clients == 8
                ? $"÷ Marten alone (section 3, minutes before) = {rate / martenAlone:0.00}; ÷ raw INSERT = {rate / rawInsert:0.00}"
                : null);
            if (clients == 8) await LoadGeneratorsAsync(submit, submitThroughHttpClient);
        }
        await HotFigureAsync(source, submit);
        await RatioAsync(submit);
        var known = claims.ToArray();
        var lifecycle = await Measure.ThroughputAsync(8, mode.Duration, mode.Warmup, (w, i) =>
        {
            var path = $"/api/claims/{known[(w * 7919 + i * 104729) % known.Length]}/evidence";
            var response = _loopback!.Post(w, path, $"{{\"sourceId\":\"{source}\",\"stance\":\"supports\",\"note\":\"w{w} {i}\"}}");
            if (response.Status is < 200 or >= 300) throw new InvalidOperationException($"{path}: {response.Status} {response.Problem}");
            return Task.FromResult(1);
        });
        Add("HTTP", "lifecycle writes (evidence on random claims), 8 clients", lifecycle, "writes/s");
    }

    /// <summary>A source and 16 figures to submit claims on (5 originators), and the claims submitted.</summary>
    private async Task<(Guid Source, System.Collections.Concurrent.ConcurrentBag<Guid> Claims, Func<int, int, Task<int>> Submission, Func<int, int, Task<int>> SubmissionThroughHttpClient)> SubmissionsAsync()
    {
        var source = await PostAsync("/api/sources", new { title = "Bench", outlet = "Bench", language = "fr", publishedAt = "2024-11-29", text = "Les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils." });
        var figures = new Guid[16];
        for (var i = 0; i < figures.Length; i++) figures[i] = await PostAsync("/api/figures", new { title = $"Bench {i}", metric = "deaths", unit = "people" });
        var originators = Enumerable.Range(0, 5).Select(o => $"originator {o}").ToArray();
        var claims = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Task<int> Submission(int w, int i)
        {
            claims.Add(Submit(w, source, figures[w % figures.Length], originators[w % originators.Length], 242 + i));
            return Task.FromResult(1);
        }
        async Task<int> SubmissionThroughHttpClientAsync(int w, int i)
        {
            claims.Add(await SubmitThroughHttpClientAsync(source, figures[w % figures.Length], originators[w % originators.Length], 242 + i));
            return 1;
        }

        return (source, claims, Submission, SubmissionThroughHttpClientAsync);
    }
}
