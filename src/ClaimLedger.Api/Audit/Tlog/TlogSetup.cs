using ClaimLedger.Audit.Witnessing;

namespace ClaimLedger.Audit.Tlog;

/// <summary>
/// The public keys of the ledger: the note verifier key its checkpoints are signed with (and the same key as PEM), its
/// origin, the P-256 keys that signed checkpoints before the switch to notes, and, when this node is a witness, its
/// cosignature verifier key.
/// </summary>
public sealed record LedgerPublicKey(string? VerifierKey, string? KeyId, string? PublicKeyPem, string Origin,
    IReadOnlyList<string>? EarlierKeys, string? WitnessVerifierKey);

public static class TlogSetup
{
    /// <summary>The C2SP interfaces: signed-note checkpoints, tiles, the witness and the witness submitter.</summary>
    public static IServiceCollection AddTransparencyLog(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddSingleton<TlogSettings>();
        services.AddSingleton<WitnessIdentity>();
        services.AddSingleton<Witness>();
        services.AddSingleton<WitnessReports>();
        services.AddSingleton<CheckpointSignal>();
        services.AddHostedService<TlogStart>();
        services.AddHostedService<WitnessSubmitter>();
        return services;
    }

    public static LedgerPublicKey PublicKeyOf(CheckpointSigner signer, WitnessIdentity witness) =>
        new(signer.VerifierKey?.Encoded, signer.KeyId, signer.PublicKeyPem, signer.Origin, signer.EarlierKeys.Count > 0 ? signer.EarlierKeys : null,
            witness.Cosigner?.Verifier.Encoded);
}

/// <summary>Reads the keys and witness settings as the node starts, so that a wrong one stops it with a message, and says them.</summary>
public sealed class TlogStart(CheckpointSigner signer, WitnessIdentity witness, TlogSettings settings, ILogger<TlogStart> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (signer.VerifierKey is { } key) logger.LogInformation("Checkpoints are signed notes of {Origin}, verifier key {VerifierKey}", signer.Origin, key.Encoded);
        if (settings.Witnesses.Count > 0) logger.LogInformation("Checkpoints are submitted to the witnesses {Witnesses}", string.Join(", ", settings.Witnesses.Select(w => w.Url)));
        if (witness.Cosigner is { } cosigner) logger.LogInformation("Witness cosignature key {VerifierKey}", cosigner.Verifier.Encoded);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
