using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using ClaimLedger.Local;

namespace ClaimLedger.Reliability;

/// <summary>ClaimLedger as a separate process on loopback, for tests that kill it.</summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    public HttpClient Http { get; }
    public int Port { get; }
    public int Pid => _process.Id;
    public bool Exited => _process.HasExited;

    private ApiProcess(Process process, int port, string key)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <summary>What the process wrote to its standard output and error, line by line, as it goes.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();

    /// <param name="arguments">Command-line arguments of the API (an address given as <c>--urls</c> replaces the chosen port's).</param>
    public static async Task<ApiProcess> StartAsync(string connectionString, string signingKeyPem, string apiKey, IDictionary<string, string>? settings = null,
        IReadOnlyList<string>? arguments = null, int? port = null)
    {
        var listenPort = port ?? ClaimLedger.Local.LocalPostgres.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClaimLedger.Api.dll"));
        foreach (var argument in arguments ?? []) psi.ArgumentList.Add(argument);
        psi.Environment["ConnectionStrings__ClaimLedger"] = connectionString;
        psi.Environment["ClaimLedger__Signing__PrivateKeyPem"] = signingKeyPem;
        psi.Environment["ClaimLedger__Ledger__CheckpointMilliseconds"] = "500";
        psi.Environment["ClaimLedger__RateLimit__PerSecond"] = "1000000";
        psi.Environment["ClaimLedger__RateLimit__Burst"] = "1000000";
        if (arguments?.Contains("--urls") != true) psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listenPort}";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        var api = new ApiProcess(process, listenPort, apiKey);
        process.OutputDataReceived += (_, line) => { if (line.Data != null) api.Output.Enqueue(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data != null) api.Output.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try { if ((await api.Http.GetAsync("/health/ready")).IsSuccessStatusCode) return api; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline || process.HasExited) throw new InvalidOperationException("the API did not start");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, nothing graceful.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public double PeakMemoryMb() => ReadStatusMb("VmHWM:");
    public double MemoryMb() => ReadStatusMb("VmRSS:");

    private double ReadStatusMb(string field)
    {
        if (_process.HasExited) return double.NaN;
        var line = File.ReadAllLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(field));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
