using ClaimLedger.Access;
using ClaimLedger.Audit;
using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Sources;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Authentication;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Weasel.Core;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using ClaimLedger.Web;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.Storage;

public static class LedgerStore
{
    /// <summary>The ledger's Marten configuration: the API, the commands and the benchmarks all use this one.</summary>
    /// <param name="rebuilds">How the daemon runs the projections: the fastest measured (the API's), or Marten's own
    /// execution for all of them (what the tests that pin the faster path compare it with).</param>
    public static StoreOptions For(string connectionString, RebuildPath rebuilds = RebuildPath.Fastest)
    {
        var opts = new StoreOptions();
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = "claimledger";
        // Casing must match the JSON setup, or LINQ queries look for members under the wrong names.
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, configure: JsonSetup.Configure);
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsGuid;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        // No silent write retries: a retried commit would keep the sequence numbers it drew in a transaction that has
        // ended, and land later under a new one — behind the ledger sequencer's back. A failed write fails (503/409),
        // and the client retries with its Idempotency-Key.
        opts.ConfigureWritePolly(_ => { });
        // An event the daemon cannot read or apply stops its projection (and says so in the log) instead of being
        // skipped: a history with a silent hole in it would be worse than one that is late.
        foreach (var errors in new[] { opts.Projections.Errors, opts.Projections.RebuildErrors })
        {
            errors.SkipSerializationErrors = false;
            errors.SkipApplyErrors = false;
            errors.SkipUnknownEvents = false;
        }
        opts.ConfigureAccess();
        opts.ConfigureSources();
        opts.ConfigureFigures(rebuilds);
        opts.ConfigureClaims(rebuilds);
        opts.ConfigureLedger();
        return opts;
    }
}
