using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// Serves <c>Telemetry:Prometheus:Path</c> on a port of its own (<c>Telemetry:Prometheus:Port</c>),
/// on every node role, the CLI verbs included: a bare Kestrel server with only the scrape middleware,
/// reading the node's own <see cref="MeterProvider"/>.
/// <para>
/// It replaced OpenTelemetry's HttpListener exporter, whose managed listener on Linux closes a
/// keep-alive connection after 15 s idle with a reset: at Prometheus's usual 15 s interval the next
/// scrape raced the close, and 11 of 37 scrapes of a 1.9 M bench run failed (docs/BENCHMARKS.md,
/// issue 22). Kestrel keeps an idle connection 130 s.
/// </para>
/// The builder is empty on purpose: no configuration sources, so the node's own <c>Kestrel:Endpoints</c>,
/// <c>urls</c> or <c>ASPNETCORE_URLS</c> never bind this server to the web host's port.
/// </summary>
internal sealed class MetricsPortServer(IServiceProvider services, IOptions<TelemetryOptions> options) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var prometheus = options.Value.Prometheus;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            var host = prometheus.Host.Trim();
            if (host is "" or "+" or "*") k.ListenAnyIP(prometheus.Port);
            else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) k.ListenLocalhost(prometheus.Port);
            else k.Listen(ParseAddress(host)!, prometheus.Port);
        });
        _app = builder.Build();
        _app.UseOpenTelemetryPrometheusScrapingEndpoint(services.GetRequiredService<MeterProvider>(),
            predicate: null!, path: prometheus.Path, configureBranchedPipeline: null!, optionsName: null!);
        await _app.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    /// <summary>"+", "*", "localhost" or an IP address (IPv6 with or without brackets); anything else is refused at start.</summary>
    internal static bool IsValidHost(string? host) =>
        host?.Trim() is "" or "+" or "*" || string.Equals(host?.Trim(), "localhost", StringComparison.OrdinalIgnoreCase) || ParseAddress(host?.Trim() ?? "") is not null;

    private static IPAddress? ParseAddress(string host) =>
        IPAddress.TryParse(host.TrimStart('[').TrimEnd(']'), out var address) ? address : null;
}
