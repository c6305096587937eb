using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Web;
using ClaimLedger.Local;

namespace ClaimLedger.IntegrationTests.Web;

/// <summary>Traces and metrics reach an OTLP collector named by the standard variables, and nothing is set up without one.</summary>
public class TelemetryTests
{
    [Fact]
    public async Task Traces_and_metrics_are_exported_over_OTLP_when_a_collector_is_named()
    {
        await using var collector = OtlpCollector.Start();
        await using var api = await LedgerApi.StartAsync("telemetry", new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        });
        await api.Claim(figure: await api.Figure());

        await collector.WaitForAsync("/v1/traces", body => body.Contains(Telemetry.ServiceName) && body.Contains("/api/claims"));
        await collector.WaitForAsync("/v1/traces", body => body.Contains("Npgsql") || body.Contains("db.system"));
        await collector.WaitForAsync("/v1/metrics", body => body.Contains("http.server.request.duration"));
        await collector.WaitForAsync("/v1/metrics", body => body.Contains("dotnet.gc"));
    }

    [Fact]
    public async Task Without_a_collector_no_telemetry_is_set_up()
    {
        var api = await LedgerApi.Shared();
        api.Host.Services.GetService(typeof(OpenTelemetry.Trace.TracerProvider)).ShouldBeNull();
    }

    /// <summary>An OTLP/HTTP receiver on loopback that keeps what it is sent (protobuf, read here as text for its strings).</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
        private readonly Task _serving;
        public string Endpoint { get; }

        private OtlpCollector(int port)
        {
            Endpoint = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public static OtlpCollector Start() => new(LocalPostgres.FreePort());

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _received.Enqueue((context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(body.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public async Task WaitForAsync(string path, Func<string, bool> matches)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!_received.Any(r => r.Path == path && matches(r.Body)))
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"nothing matching arrived at {path}; received: {string.Join(", ", _received.Select(r => r.Path))}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
            _listener.Close();
        }
    }
}
