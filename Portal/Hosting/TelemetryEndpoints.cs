using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Portal.Infrastructure.Telemetry;

namespace Portal.Hosting;

/// <summary>
/// Issue 22, the web half of <see cref="TelemetrySetup"/>: ASP.NET Core metrics and request spans,
/// and the Prometheus scrape path on the web host (unless Telemetry:Prometheus:Port gives it a
/// listener of its own). The scrape answers anonymously: no label holds personal data, and
/// operators who want it private put it on its own port behind their network rules.
/// </summary>
internal static class TelemetryEndpoints
{
    public static WebApplicationBuilder AddPortalWebTelemetry(this WebApplicationBuilder builder)
    {
        var options = TelemetrySetup.Options(builder.Configuration);
        if (options.Enabled)
        {
            // The Prometheus exporter itself is registered by TelemetrySetup (also for hosts without a web server).
            builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddAspNetCoreInstrumentation());
        }
        if (TelemetrySetup.TracingOn(builder.Configuration))
        {
            // Health probes and scrapes every few seconds would drown the traces that matter.
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddAspNetCoreInstrumentation(o =>
                o.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments(options.Prometheus.Path)));
        }
        return builder;
    }

    public static void MapPortalMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (options.Enabled && options.Prometheus.Port == 0)
        {
            app.MapPrometheusScrapingEndpoint(options.Prometheus.Path).AllowAnonymous();
        }
    }
}
