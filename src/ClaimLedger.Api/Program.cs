using ClaimLedger.Hosting;
using JasperFx;

[assembly: JasperFxAssembly]

var builder = WebApplication.CreateBuilder(args);
builder.AddClaimLedger();
var app = builder.Build();
app.UseClaimLedger();
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
