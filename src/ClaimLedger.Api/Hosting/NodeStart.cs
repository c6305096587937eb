using ClaimLedger.Audit;
using ClaimLedger.Storage;

namespace ClaimLedger.Hosting;

/// <summary>
/// What a starting node checks and says: where its ledger lives, that it can sign checkpoints, and what it may run. Kestrel
/// says where it listens; the sequencer and Marten's daemon say when this node takes their work.
/// </summary>
public sealed class NodeStart(LedgerDatabase database, CheckpointSigner signer, IConfiguration configuration, IHostEnvironment environment,
    ILogger<NodeStart> logger) : IHostedLifecycleService
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// ASP.NET's conventions choose the address (<c>ASPNETCORE_URLS</c>, <c>--urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>,
    /// <c>Kestrel:Endpoints</c>); ClaimLedger's own default applies only when none of them says anything.
    /// </summary>
    public static bool AddressConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"]) || !string.IsNullOrWhiteSpace(configuration["http_ports"]) ||
        !string.IsNullOrWhiteSpace(configuration["https_ports"]) || configuration.GetSection("Kestrel:Endpoints").Exists();

    /// <summary>Before any hosted service starts (Marten's schema, Wolverine's agents): a refused node touches nothing.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // A ledger that cannot sign its checkpoints cannot be verified by anyone: refused rather than run as if all were well.
        if (!signer.CanSign && !database.SelfProvisioned && !environment.IsDevelopment())
            throw new StartRefused(
                "No checkpoint signing key is configured. Set ClaimLedger:Signing:KeyPath to the key's file (created when missing; " +
                "environment variable ClaimLedger__Signing__KeyPath), or ClaimLedger:Signing:PrivateKeyPem. Only the Development " +
                "environment runs without one.");
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Ledger database {Database} ({How})", database.Describe(),
            database.SelfProvisioned ? "provisioned by the local runner" : "ConnectionStrings:ClaimLedger");
        if (signer.CanSign) logger.LogInformation("Checkpoints are signed with key {KeyId}", signer.KeyId);
        logger.LogInformation("This node serves HTTP; it sequences the ledger when elected, and runs the async projections when " +
                              "Wolverine's leader assigns them to it{Eligibility}",
            configuration.GetValue("ClaimLedger:Nodes:CanLead", true) ? "" : " (it never leads)");
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A node that must not run as configured: the message says what to configure.</summary>
public sealed class StartRefused(string message) : Exception(message);
