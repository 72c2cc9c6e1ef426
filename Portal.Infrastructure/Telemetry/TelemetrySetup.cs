using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// Issue 22 (docs/operations.md, ADR 0011): OpenTelemetry metrics (Portal's meter, runtime, HTTP
/// client, EF Core, Npgsql) exported for Prometheus, traces over the pipeline exported by OTLP when
/// configured and structured JSON console logs with the trace id (<c>Logging:Format=json</c>). The
/// node's gauges and the readiness check read the sending pipeline, so Dashboard registers them.
/// The web host adds ASP.NET Core instrumentation and the <c>/metrics</c> path.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Meters of the libraries below Portal.</summary>
    private static readonly string[] LibraryMeters = ["Npgsql", "Microsoft.EntityFrameworkCore"];

    public static TelemetryOptions Options(IConfiguration configuration) =>
        configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

    public static bool JsonLogs(IConfiguration configuration) =>
        string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase);

    public static bool TracingOn(IConfiguration configuration)
    {
        var o = Options(configuration);
        return o.Tracing ?? (!string.IsNullOrWhiteSpace(o.Otlp.Endpoint) || JsonLogs(configuration));
    }

    public static IHostApplicationBuilder AddPortalTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddPortalOptions<TelemetryOptions>(configuration, TelemetryOptions.Section)
            .Validate(o => o.SampleInterval > TimeSpan.Zero, "Telemetry:SampleInterval must be positive.")
            .Validate(o => o.Prometheus.Port is >= 0 and <= 65535, "Telemetry:Prometheus:Port must be 0 (off) or a TCP port.")
            .Validate(o => o.Prometheus.Path.StartsWith('/'), "Telemetry:Prometheus:Path must start with '/'.")
            .Validate(o => MetricsPortServer.IsValidHost(o.Prometheus.Host), "Telemetry:Prometheus:Host must be +, *, localhost or an IP address.");

        if (JsonLogs(configuration))
        {
            // One JSON object per line; scopes hold TraceId/SpanId (the host's activity tracking).
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Logging.Configure(o => o.ActivityTrackingOptions =
                ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        }

        var options = Options(configuration);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("portal", serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()));
        if (options.Enabled)
        {
            // Before the node's gauges (DashboardSetup.AddPortalNodeGauges, registered after this), whose
            // first act is to scrape this port once (the exporter's warm-up).
            if (options.Prometheus.Port > 0) services.AddHostedService<MetricsPortServer>();
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(PortalMetrics.MeterName).AddMeter(LibraryMeters)
                    .AddRuntimeInstrumentation()
                    .AddHttpClientInstrumentation();
                // One exporter for both ways of serving it: the web host's path (TelemetryEndpoints) or a port of its own.
                metrics.AddPrometheusExporter();
            });
        }
        if (TracingOn(configuration))
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(PortalTelemetry.SourceName).AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(options.Otlp.Endpoint))
                {
                    // A span per SQL command: only when the traces go somewhere.
                    tracing.AddSource("Npgsql");
                    tracing.AddOtlpExporter(o =>
                    {
                        o.Endpoint = new Uri(options.Otlp.Endpoint);
                        o.Protocol = string.Equals(options.Otlp.Protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase)
                            ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    });
                }
            });
        }
        return builder;
    }
}
