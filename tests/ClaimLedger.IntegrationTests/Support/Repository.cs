using System.Diagnostics;

namespace ClaimLedger.IntegrationTests.Support;

/// <summary>Finds the checkout and runs its programs, for tests of the command line and of the build itself.</summary>
public static class Repository
{
    public static string Root
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "ClaimLedger.sln"))) return d.FullName;
            throw new InvalidOperationException("ClaimLedger.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The API's own build output, in the configuration the tests were built in.</summary>
    public static string ApiAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
            return Path.Combine(Root, "src", "ClaimLedger.Api", "bin", configuration, "net10.0", "ClaimLedger.Api.dll");
        }
    }

    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Outcome> RunAsync(string program, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment != null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{program} {string.Join(' ', args)} timed out"); }
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
