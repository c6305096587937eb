using ClaimLedger.Hosting;
using JasperFx;

[assembly: JasperFxAssembly]

// Configuration files are read once, at start-up. Watching them for changes watches every file under the content root,
// and when the local cluster lives below it (.data/postgres) that was every write PostgreSQL made (docs/benchmarks.md).
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
builder.AddClaimLedger();
var app = builder.Build();
app.UseClaimLedger();
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
