using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Telemetry;

namespace Portal.Infrastructure.Dashboard;

/// <summary>
/// This host's gauges for <see cref="PortalMetrics"/> (its <see cref="INodeGauges"/>): connectors and circuits read at collection
/// time (in memory), queue depths, dead letters and running campaigns sampled every
/// <see cref="TelemetryOptions.SampleInterval"/> (broker and database calls never run inside a scrape).
/// Every series carries the node id (Dashboard:NodeId), so several hosts in one process stay apart.
/// </summary>
public sealed class NodeTelemetry(
    ProviderConnections connections,
    ProviderHealthBoard health,
    ReceiptPolicies providers,
    IMessageBus bus,
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<SendingOptions> sending,
    IOptions<DashboardOptions> dashboard,
    IOptions<TelemetryOptions> options,
    ILogger<NodeTelemetry> logger) : BackgroundService, INodeGauges
{
    private readonly string _node = dashboard.Value.ResolvedNodeId;
    private volatile IReadOnlyList<QueueStats> _queues = [];
    private long? _campaignsRunning;

    public string Node => _node;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PortalMetrics.Register(this);
        try
        {
            await WarmScrapeAsync(stoppingToken);
            using var timer = new PeriodicTimer(options.Value.SampleInterval);
            do
            {
                await SampleAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            PortalMetrics.Unregister(this);
        }
    }

    /// <summary>
    /// One scrape of this node's own metrics port at start, before Prometheus's first: the exporter's
    /// collection and serialisation are compiled on the first scrape, which took 2 s in a bare
    /// exporter and 4.4 s in a 500 k bench run on a loaded machine, its slowest scrape by far (the next
    /// 1.1 s; docs/BENCHMARKS.md, issue 22). On the web
    /// host's path (no own port) Kestrel serves it and the URL is not known here: not warmed.
    /// </summary>
    private async Task WarmScrapeAsync(CancellationToken ct)
    {
        var prometheus = options.Value.Prometheus;
        if (prometheus.Port <= 0) return;
        var host = prometheus.Host.Trim() switch
        {
            "" or "+" or "*" or "0.0.0.0" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            var h => h,
        };
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await http.GetAsync(new UriBuilder("http", host, prometheus.Port, prometheus.Path).Uri, ct);
            logger.LogDebug("Metrics endpoint warmed: {Status}", (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogDebug("Metrics endpoint not warmed: {Error}", e.Message);
        }
    }

    /// <summary>Reads queue depths and the running campaigns now (also called by tests).</summary>
    internal async Task SampleAsync(CancellationToken ct)
    {
        var s = sending.Value;
        var queues = new List<QueueStats>(3);
        foreach (var queue in new[] { s.ChunkQueue, s.ReceiptQueue, s.InboundQueue })
        {
            try
            {
                queues.Add(await bus.GetStatsAsync(queue, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Broker down: the gauge disappears rather than showing a stale value; /health/ready says why.
                logger.LogDebug("Queue {Queue} not sampled: {Error}", queue, e.Message);
            }
        }
        _queues = queues;
        try
        {
            // Provider names for the circuit gauge, from this host's database (refreshed at most every 10 s).
            await providers.NamesAsync(ct);
            await using var db = await contexts.CreateDbContextAsync(ct);
            _campaignsRunning = await db.Campaigns.LongCountAsync(c => c.Status == CampaignStatus.Sending, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _campaignsRunning = null;
            logger.LogDebug("Running campaigns not sampled: {Error}", e.Message);
        }
    }

    private KeyValuePair<string, object?> NodeTag => new("node", _node);

    IEnumerable<Measurement<long>> INodeGauges.WindowInUse() =>
        connections.Connected().Select(c => new Measurement<long>(c.Connector.WindowInUse, Provider(c.Connector.Options.Name), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.BindsUp() =>
        connections.Connected().Select(c => new Measurement<long>(c.Connector.BoundSessions, Provider(c.Connector.Options.Name), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.SubmitSmSent() =>
        connections.Connected().Select(c => new Measurement<long>(c.Connector.Statistics.SubmitSmSent, Provider(c.Connector.Options.Name), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.Throttled() =>
        connections.Connected().Select(c => new Measurement<long>(c.Connector.Statistics.Throttled, Provider(c.Connector.Options.Name), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.Circuits() =>
        health.States().Select(b => new Measurement<long>((long)b.State, Provider(providers.NameOf(b.ProviderId)), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.QueueDepth() =>
        _queues.Select(q => new Measurement<long>(q.Ready, new("queue", q.Queue), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.DeadLetters() =>
        _queues.Select(q => new Measurement<long>(q.DeadLettered, new("queue", q.Queue), NodeTag));

    IEnumerable<Measurement<long>> INodeGauges.CampaignsRunning() =>
        _campaignsRunning is { } n ? [new Measurement<long>(n, NodeTag)] : [];

    IEnumerable<Measurement<long>> INodeGauges.Up() =>
        [new Measurement<long>(1, NodeTag, new("sender", sending.Value.Enabled ? "true" : "false"))];

    private static KeyValuePair<string, object?> Provider(string name) => new("provider", name);
}
