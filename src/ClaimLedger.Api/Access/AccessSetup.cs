using Marten;
using ClaimLedger.Web;

namespace ClaimLedger.Access;

public static class AccessSetup
{
    public static void ConfigureAccess(this StoreOptions opts)
    {
        opts.Schema.For<User>().Identity(u => u.Id);
        opts.Schema.For<ApiKey>().Identity(k => k.Id).Index(k => k.UserName);
        opts.Schema.For<IdempotentResponse>().Identity(r => r.Id);
    }
}
