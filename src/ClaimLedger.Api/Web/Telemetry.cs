using Marten;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ClaimLedger.Throughput;
using ClaimLedger.Throughput.Rebuilds;

namespace ClaimLedger.Web;

/// <summary>
/// OpenTelemetry: traces of ASP.NET Core, HttpClient, Npgsql, Marten and Wolverine, and metrics of the runtime, ASP.NET
/// Core and ClaimLedger's own meters. They are exported over OTLP when the standard variables name a collector
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> <c>http/protobuf</c> or <c>grpc</c>, and the
/// SDK's other <c>OTEL_*</c> settings). Without a collector nothing is set up: no activity is recorded for nobody on the
/// write path (the meters stay readable with <c>dotnet-counters</c>).
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "ClaimLedger";

    /// <summary>The project's own meters.</summary>
    public static readonly string[] Meters = [Throughput.GroupCommit.SubmissionGroups.MeterName, RangePipeline.MeterName];

    public static IServiceCollection AddClaimLedgerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return services;
        // Marten traces its connections and counts the events it appends only when asked.
        services.ConfigureMarten(o =>
        {
            o.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
            o.OpenTelemetry.TrackEventCounters();
        });
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? ServiceName))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("Marten", "Wolverine"))
            .WithMetrics(m => m
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddMeter(Meters)
                .AddMeter("Marten", "Wolverine:*"))
            .UseOtlpExporter();
        return services;
    }
}
