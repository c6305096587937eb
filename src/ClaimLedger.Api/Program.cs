using ClaimLedger.Hosting;
using JasperFx;

[assembly: JasperFxAssembly]

// Configuration files are read once, at start-up. Watching them for changes watches every file under the content root,
// and when the local cluster lives below it (.data/postgres) that was every write PostgreSQL made (docs/benchmarks.md).
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
builder.AddClaimLedger();
var app = builder.Build();
app.UseClaimLedger();
// Running the server is ASP.NET's own run (its arguments, such as --urls, are read by the builder); any other command goes
// through the JasperFx command line (users, projections, codegen, verify, …), which lists what it finds as it starts.
if (args.Length == 0 || args[0].StartsWith('-'))
{
    try
    {
        await app.RunAsync();
        return 0;
    }
    catch (StartRefused refused)
    {
        await Console.Error.WriteLineAsync(refused.Message);
        return 1;
    }
}
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
