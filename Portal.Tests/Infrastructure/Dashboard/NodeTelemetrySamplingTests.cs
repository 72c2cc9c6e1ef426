using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Telemetry;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Dashboard;

/// <summary>This node's gauges when the database or the metrics port is not there: the gauge goes away, nothing throws.</summary>
public class NodeTelemetrySamplingTests
{
    private sealed class UnreachableDatabase : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => throw new InvalidOperationException("database down");
    }

    private static NodeTelemetry Telemetry(IDbContextFactory<PortalDbContext> contexts, IMessageBus bus, TelemetryOptions? telemetry = null, ILogger<NodeTelemetry>? logger = null) => new(
        new ProviderConnections(new ReceiptForwarder(bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance), NullLoggerFactory.Instance),
        new ProviderHealthBoard(TimeProvider.System), new ReceiptPolicies(contexts, new ProviderRegistryVersion()), bus, contexts,
        Options.Create(new SendingOptions()), Options.Create(new DashboardOptions { NodeId = "node-t" }), Options.Create(telemetry ?? new TelemetryOptions()),
        logger ?? NullLogger<NodeTelemetry>.Instance);

    [Fact]
    public async Task Sample_DatabaseUp_ThenDown_RunningCampaignsGaugeShownThenGone()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var up = Telemetry(database.Factory, bus);
        var down = Telemetry(new UnreachableDatabase(), bus);

        await up.SampleAsync(default);
        await down.SampleAsync(default);

        Assert.Equal("node-t", up.Node);
        var running = Assert.Single(((INodeGauges)up).CampaignsRunning());
        Assert.Equal(0, running.Value);
        Assert.Empty(((INodeGauges)down).CampaignsRunning());
        Assert.Equal(3, ((INodeGauges)down).QueueDepth().Count()); // the broker figures still come through
    }

    [Fact]
    public async Task Start_MetricsPortOnIpv6AnyWithNothingListening_NotWarmedAndStillSamples()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var lines = new ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(lines)).SetMinimumLevel(LogLevel.Debug));
        var telemetry = Telemetry(database.Factory, bus,
            new TelemetryOptions { SampleInterval = TimeSpan.FromMilliseconds(50), Prometheus = { Host = "::", Port = port } }, loggers.CreateLogger<NodeTelemetry>());

        await telemetry.StartAsync(default);
        try
        {
            await Portal.Tests.Infrastructure.Smpp.SmppConnectorTests.WaitUntilAsync(() => ((INodeGauges)telemetry).CampaignsRunning().Any(), 10_000);
        }
        finally
        {
            await telemetry.StopAsync(default);
        }

        Assert.Contains(lines, l => l.Contains("Metrics endpoint not warmed"));
    }
}
