
namespace ClaimLedger.IntegrationTests.Support;

/// <summary>Gives a test class the shared in-process API.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public LedgerApi Api { get; private set; } = null!;
    public async Task InitializeAsync() => Api = await LedgerApi.Shared();
    public Task DisposeAsync() => Task.CompletedTask;
}
