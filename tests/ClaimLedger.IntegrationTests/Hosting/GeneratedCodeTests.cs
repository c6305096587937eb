using ClaimLedger.IntegrationTests.Support;
using JasperFx.CodeGeneration;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ClaimLedger.IntegrationTests.Hosting;

/// <summary>
/// The API loads its endpoint code pre-generated (no compiler in the process); the code in the repository must be
/// what Wolverine generates from the endpoints as they are now.
/// </summary>
public class GeneratedCodeTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public void The_committed_endpoint_code_is_what_the_current_endpoints_generate()
    {
        var services = fixture.Api.Host.Services;
        var rules = services.GetRequiredService<WolverineOptions>().CodeGeneration;
        var committed = Path.Combine(Repository.Root, "src", "ClaimLedger.Api", "Internal", "Generated");
        var fresh = Directory.CreateTempSubdirectory("claimledger-codegen-").FullName;
        var original = rules.GeneratedCodeOutputPath;
        try
        {
            rules.GeneratedCodeOutputPath = fresh;
            new DynamicCodeBuilder(services, services.GetServices<ICodeFileCollection>().ToArray())
            {
                ServiceVariableSource = services.GetService<JasperFx.CodeGeneration.Model.IServiceVariableSource>(),
            }.WriteGeneratedCode(_ => { });

            static Dictionary<string, string> Files(string root) => Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(root, f), f => File.ReadAllText(f).ReplaceLineEndings());
            var expected = Files(fresh);
            var actual = Files(committed);
            expected.Count.ShouldBeGreaterThan(20);
            var fix = "run: dotnet run --project src/ClaimLedger.Api -- codegen write";
            actual.Keys.Order().ShouldBe(expected.Keys.Order(), fix);
            foreach (var (file, code) in expected) actual[file].ShouldBe(code, $"{file} is stale; {fix}");
        }
        finally
        {
            rules.GeneratedCodeOutputPath = original;
            Directory.Delete(fresh, recursive: true);
        }
    }
}
