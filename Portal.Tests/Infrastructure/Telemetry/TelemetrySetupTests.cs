using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using Portal.Infrastructure.Telemetry;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// Issue 21 (coverage): what <c>Logging:Format=json</c> and an OTLP endpoint switch on in a node's
/// services (the JSON log test runs the real process, whose coverage is not collected here).
/// </summary>
public class TelemetrySetupTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConsole();
        builder.AddPortalTelemetry();
        return builder.Build();
    }

    [Fact]
    public void JsonFormat_WritesUtcJsonLinesWithScopes_AndTracksTraceAndSpanIds()
    {
        using var host = Build(new() { ["Logging:Format"] = "json", ["Telemetry:Enabled"] = "false" });

        Assert.Equal(ConsoleFormatterNames.Json, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var json = host.Services.GetRequiredService<IOptions<JsonConsoleFormatterOptions>>().Value;
        Assert.Equal((true, true, "yyyy-MM-ddTHH:mm:ss.fffZ"), (json.IncludeScopes, json.UseUtcTimestamp, json.TimestampFormat));
        var tracking = host.Services.GetRequiredService<IOptions<LoggerFactoryOptions>>().Value.ActivityTrackingOptions;
        Assert.Equal(ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId, tracking);
        // JSON logs carry trace ids, so tracing is on even without an exporter.
        Assert.NotNull(host.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void PlainFormat_KeepsTheSimpleConsole_AndTracingOff()
    {
        var settings = new Dictionary<string, string?> { ["Telemetry:Enabled"] = "false" };
        using var host = Build(settings);
        Assert.NotEqual(ConsoleFormatterNames.Json, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        Assert.False(TelemetrySetup.TracingOn(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
    }

    [Fact]
    public void AnOtlpEndpoint_TurnsTracingOn_AndSpansOfPortalAreSampled()
    {
        using var host = Build(new() { ["Telemetry:Enabled"] = "false", ["Telemetry:Otlp:Endpoint"] = "http://127.0.0.1:1", ["Telemetry:Otlp:Protocol"] = "http/protobuf" });
        var tracer = host.Services.GetRequiredService<TracerProvider>();
        Assert.NotNull(tracer);
        using var source = new ActivitySource(PortalTelemetry.SourceName);
        using var activity = source.StartActivity("test");
        Assert.NotNull(activity);
        Assert.True(activity.Recorded);
    }
}
