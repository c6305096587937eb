using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Hosting;

public class RestoreTests
{
    /// <summary>
    /// A clean clone restores with nothing but the repository's nuget.config: the package mirror for everything, the
    /// metadata-only shim for Patched.DistributedLock.Core. Restored into an empty packages folder, so nothing
    /// already on this machine can stand in for a package the configuration cannot reach.
    /// </summary>
    [Fact]
    public async Task A_clean_checkout_restores_with_only_the_repository_nuget_config()
    {
        var root = Repository.Root;
        var clone = Directory.CreateTempSubdirectory("claimledger-restore-");
        var packages = Directory.CreateTempSubdirectory("claimledger-packages-");
        try
        {
            foreach (var file in new[] { "nuget.config", "global.json", "Directory.Build.props", "Directory.Packages.props", "src/ClaimLedger.Api/ClaimLedger.Api.csproj" })
            {
                var target = Path.Combine(clone.FullName, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(root, file), target);
            }
            CopyDirectory(Path.Combine(root, "deploy", "nuget"), Path.Combine(clone.FullName, "deploy", "nuget"));

            var outcome = await Repository.RunAsync("dotnet",
                ["restore", "src/ClaimLedger.Api/ClaimLedger.Api.csproj", "--packages", packages.FullName, "--configfile", "nuget.config"],
                clone.FullName, new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages.FullName }, TimeSpan.FromMinutes(8));

            outcome.ExitCode.ShouldBe(0, outcome.StandardOutput + outcome.StandardError);
            Directory.Exists(Path.Combine(packages.FullName, "marten", "9.58.0")).ShouldBeTrue();
            var shim = Path.Combine(packages.FullName, "patched.distributedlock.core", "1.0.11");
            Directory.Exists(shim).ShouldBeTrue();
            Directory.EnumerateFiles(shim, "*.dll", SearchOption.AllDirectories).ShouldBeEmpty(); // metadata only
            Directory.Exists(Path.Combine(packages.FullName, "distributedlock.core", "1.0.9")).ShouldBeTrue();
        }
        finally
        {
            clone.Delete(true);
            packages.Delete(true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
