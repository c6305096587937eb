using JasperFx.Events.Projections;
using Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Access;

public static class AccessSetup
{
    public static void ConfigureAccess(this StoreOptions opts)
    {
        // Users and keys are events like every other change, so the ledger covers them; each user's account is its stream's
        // snapshot, kept inline so that the next request authenticates against it.
        opts.Events.AddEventTypes([typeof(UserAdded), typeof(RoleChanged), typeof(KeyIssued), typeof(KeyRevoked)]);
        opts.Projections.Snapshot<UserAccount>(SnapshotLifecycle.Inline);
        opts.Storage.ExtendedSchemaObjects.Add(UserDirectory.KeyHashesTable());
        opts.Schema.For<IdempotentResponse>().Identity(r => r.Id);
    }

    /// <summary>The node's part: hearing of every change to users and keys, and keeping when keys were last used.</summary>
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSingleton<AccessChanges>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessChanges>());
        services.AddSingleton<KeyUses>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUses>());
        return services;
    }
}
