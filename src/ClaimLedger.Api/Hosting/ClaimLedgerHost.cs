using ClaimLedger.Access;
using ClaimLedger.Audit;
using ClaimLedger.Audit.Tlog;
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
using ClaimLedger.Storage;
using ClaimLedger.Local;
using ClaimLedger.Throughput;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.Hosting;

/// <summary>Host wiring: Marten, Wolverine, authentication, problems, OpenAPI, health. Program.cs only calls this.</summary>
public static class ClaimLedgerHost
{
    public static WebApplicationBuilder AddClaimLedger(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (!NodeStart.AddressConfigured(builder.Configuration)) builder.WebHost.UseUrls(NodeStart.DefaultUrl);
        QuietStart(builder.Logging);
        // A request runs on the pool thread that read it from its socket instead of being handed to another: one context
        // switch fewer per request, where switching threads took a quarter of the API's CPU on 2 cores (docs/benchmarks.md).
        // The code behind every endpoint is asynchronous. The runtime's own inline socket completions stay off: with them,
        // a synchronous call in Wolverine's leadership check blocked the socket engine's thread and hung the API.
        services.AddOptions<SocketTransportOptions>().Configure<IConfiguration>((o, configuration) =>
            o.UnsafePreferInlineScheduling = configuration.GetValue("ClaimLedger:Http:InlineScheduling", true));
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton(sp => LedgerDatabase.Resolve(sp.GetRequiredService<IConfiguration>()));
        // First of the hosted services: a node that must not run stops before anything else starts.
        services.AddHostedService<NodeStart>();

        services.ConfigureSystemTextJsonForWolverineOrMinimalApi(o => JsonSetup.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();

        // One connection pool for Marten, Wolverine's message store and the ledger's own SQL.
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<LedgerDatabase>().ConnectionString));
        services.AddSingleton<CommitSignal>();
        services.AddSingleton<CommittedPictures>();
        services.AddSingleton<HalfPreparedStatements>();
        services.AddSingleton<ValuePlannedReads>();
        services.AddMarten(sp =>
            {
                var opts = Storage.LedgerStore.For(sp.GetRequiredService<LedgerDatabase>().ConnectionString);
                // A statement PostgreSQL refuses must not leave a connection out of step with the server (Npgsql's bug).
                opts.Logger(sp.GetRequiredService<HalfPreparedStatements>());
                // The daemon follows this node's commits as they pause, not only on its polling interval.
                var commits = sp.GetRequiredService<CommitSignal>();
                opts.Listeners.Add(commits);
                opts.Listeners.Add(sp.GetRequiredService<CommittedPictures>());
                opts.Projections.Wakeup = commits.Follow();
                return opts;
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // Async projections run where Wolverine's elected leader assigns them, one node at a time, and move to a
            // live node when theirs stops answering.
            .IntegrateWithWolverine(m => m.UseWolverineManagedEventSubscriptionDistribution = true);

        var nodes = builder.Configuration.GetSection("ClaimLedger:Nodes");
        builder.Host.UseWolverine(opts =>
        {
            // Endpoint code is generated ahead (Internal/Generated, `codegen write`; a test fails when it is stale): a
            // compiler in the process cost 160 MB of resident memory and seconds of start-up.
            opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Static;
            opts.Discovery.IncludeAssembly(typeof(ClaimLedgerHost).Assembly);
            // How fast a dead node's projections move: heartbeats every second, a node silent for StaleAfterSeconds is
            // ejected and its agents reassigned (Wolverine's defaults are 10 s and 60 s).
            opts.Durability.FirstHealthCheckExecution = TimeSpan.FromMilliseconds(nodes.GetValue("FirstCheckMilliseconds", 200));
            opts.Durability.HealthCheckPollingTime = TimeSpan.FromMilliseconds(nodes.GetValue("HeartbeatMilliseconds", 1000));
            opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(nodes.GetValue("StaleAfterSeconds", 10));
            opts.Durability.CheckAssignmentPeriod = TimeSpan.FromSeconds(nodes.GetValue("CheckAssignmentSeconds", 2));
            // A node that may never lead still serves requests and runs what a leader assigns it; alone, it runs no daemon.
            opts.Durability.LeadershipEligible = nodes.GetValue("CanLead", true);
        });
        services.AddWolverineHttp();

        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, _ => { });
        services.AddKeyRateLimits();
        services.AddAccess();
        services.AddAuthorization(o =>
        {
            foreach (var (policy, roles) in Policies.RolesFor)
                o.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
        });

        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "ClaimLedger";
                doc.Info.Description = "An event-sourced ledger of verified news claims. Authenticate with 'Authorization: Bearer <api key>'. " +
                                       "Every error is RFC 9457 application/problem+json naming the field and the reason.";
                return Task.CompletedTask;
            });
            o.AddOperationTransformer<OpenApiOperations>();
        });
        services.AddSingleton<Figures.Revisions.HistoryCatchUp>();
        services.AddSingleton<Audit.CheckpointSigner>();
        services.AddSingleton<Audit.LedgerVerifier>();
        services.AddSingleton<Audit.LedgerSequencer>();
        services.AddHostedService(sp => sp.GetRequiredService<Audit.LedgerSequencer>());
        services.AddTransparencyLog();
        services.AddSingleton<KnownReferences>();
        services.AddSingleton<SubmissionGroups>();
        services.AddHostedService(sp => sp.GetRequiredService<SubmissionGroups>());
        services.AddHealthChecks().AddCheck<PostgresReadiness>("postgres", tags: ["ready"]);
        services.AddClaimLedgerTelemetry(builder.Configuration);
        services.AddHostedService<DemoData>();
        return builder;
    }

    /// <summary>
    /// The start says where the node listens, which database, and what it runs (Marten's daemon says which projection it
    /// takes, Wolverine's agents whether it leads). ClaimLedger uses Wolverine for HTTP and node agents and has no message
    /// handlers by design, so Wolverine's warning that it found none would mislead.
    /// </summary>
    private static void QuietStart(ILoggingBuilder logging)
    {
        logging.AddFilter("Wolverine.Configuration.HandlerDiscovery", LogLevel.Error);
        logging.AddFilter("Marten.Events.Daemon.ProjectionDaemon", LogLevel.Information);
        logging.AddFilter("Wolverine.Runtime.Agents.NodeAgentController", LogLevel.Information);
    }

    public static WebApplication UseClaimLedger(this WebApplication app)
    {
        // HEAD becomes GET before a route is chosen, so that every read route answers it; outermost, so that what the
        // problem writers below write for it is discarded too.
        app.UseMiddleware<HeadAsGet>();
        app.UseExceptionHandler();
        // Inside the exception handler, which answers (and so swallows) what escapes a request.
        app.Use(app.Services.GetRequiredService<HalfPreparedStatements>().WatchAsync);
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || http.Response.ContentType != null) return;
            var status = http.Response.StatusCode;
            await Problems.Write(http, status, Problems.TitleFor(status), status switch
            {
                404 => $"no route matches {http.Request.Method} {http.Request.Path}",
                405 => $"{http.Request.Method} is not allowed on {http.Request.Path}",
                415 => "send the body as application/json",
                _ => Problems.TitleFor(status),
            }, status == 415 ? "Content-Type" : null);
        });
        // The web app's files need no key and no route: served before either.
        app.UseWebApp();
        app.UseRouting();
        app.UseMiddleware<BodySizeLimits>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapWolverineEndpoints();
        return app;
    }
}
