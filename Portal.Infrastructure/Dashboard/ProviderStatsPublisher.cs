using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Esme;

namespace Portal.Infrastructure.Dashboard;

/// <summary>
/// Writes this node's provider connections (binds, window, counters) to <see cref="ProviderNodeStats"/>
/// every <see cref="DashboardOptions.PublishInterval"/>, so every node's dashboard sees every node's
/// connectors. One small upsert per connected provider; nothing when no connector runs here.
/// </summary>
public sealed class ProviderStatsPublisher(
    ProviderConnections connections,
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<DashboardOptions> options,
    TimeProvider clock,
    ILogger<ProviderStatsPublisher> logger) : BackgroundService
{
    /// <summary>Rows of nodes gone this long are deleted (they stopped counting long ago).</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var node = options.Value.ResolvedNodeId;
        var lastCleanup = DateTime.MinValue;
        using var timer = new PeriodicTimer(options.Value.PublishInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var rows = connections.Connected().Select(c => Reading(node, c.ProviderId, c.Connector, now))
                    .Concat(connections.HttpConnected().Select(h => Reading(node, h.ProviderId, h.Statistics, now))).ToList();
                var cleanup = now - lastCleanup > TimeSpan.FromMinutes(1);
                if (rows.Count == 0 && !cleanup) continue;
                try
                {
                    await using var db = await contexts.CreateDbContextAsync(stoppingToken);
                    await UpsertAsync(db, rows, stoppingToken);
                    if (cleanup)
                    {
                        var old = now - Retention;
                        await db.Set<ProviderNodeStats>().Where(s => s.UpdatedAt < old).ExecuteDeleteAsync(stoppingToken);
                        lastCleanup = now;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Provider statistics not published (retried next tick): {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A connector's state now, as the row this node publishes.</summary>
    public static ProviderNodeStats Reading(string node, int providerId, SmppConnector connector, DateTime now)
    {
        var s = connector.Statistics;
        var binds = connector.Options.Binds + connector.Options.ReceiverBinds;
        return new ProviderNodeStats
        {
            NodeId = node,
            ProviderId = providerId,
            UpdatedAt = now,
            BindsUp = connector.BoundSessions,
            BindsConfigured = binds,
            WindowInUse = connector.WindowInUse,
            WindowSize = connector.Options.Binds * connector.Options.WindowSize,
            SubmittedTotal = s.SubmitSmSent,
            ErrorsTotal = s.SubmitSmRejected + s.SubmitSmUncertain,
            ThrottledTotal = s.Throttled,
            ReceiptsTotal = s.ReceiptsReceived,
        };
    }

    /// <summary>
    /// An HTTP provider's state now: no binds and no window (a request per message), so those stay 0
    /// and the in-flight requests stand in the window's place; submits, errors and throttles as for SMPP.
    /// </summary>
    public static ProviderNodeStats Reading(string node, int providerId, HttpSenderStatistics s, DateTime now) => new()
    {
        NodeId = node,
        ProviderId = providerId,
        UpdatedAt = now,
        WindowInUse = s.InFlight,
        SubmittedTotal = s.Submitted,
        ErrorsTotal = s.Errors,
        ThrottledTotal = s.Throttled,
    };

    /// <summary>Insert or replace each node/provider row (one statement each; ON CONFLICT works on SQLite and PostgreSQL).</summary>
    public static async Task UpsertAsync(PortalDbContext db, IEnumerable<ProviderNodeStats> rows, CancellationToken ct)
    {
        foreach (var r in rows)
        {
            var at = DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "ProviderNodeStats" ("NodeId", "ProviderId", "UpdatedAt", "BindsUp", "BindsConfigured", "WindowInUse",
                    "WindowSize", "SubmittedTotal", "ErrorsTotal", "ThrottledTotal", "ReceiptsTotal")
                VALUES ({r.NodeId}, {r.ProviderId}, {at}, {r.BindsUp}, {r.BindsConfigured}, {r.WindowInUse},
                    {r.WindowSize}, {r.SubmittedTotal}, {r.ErrorsTotal}, {r.ThrottledTotal}, {r.ReceiptsTotal})
                ON CONFLICT ("NodeId", "ProviderId") DO UPDATE SET
                    "UpdatedAt" = excluded."UpdatedAt", "BindsUp" = excluded."BindsUp", "BindsConfigured" = excluded."BindsConfigured",
                    "WindowInUse" = excluded."WindowInUse", "WindowSize" = excluded."WindowSize",
                    "SubmittedTotal" = excluded."SubmittedTotal", "ErrorsTotal" = excluded."ErrorsTotal",
                    "ThrottledTotal" = excluded."ThrottledTotal", "ReceiptsTotal" = excluded."ReceiptsTotal"
                """, ct);
        }
    }
}
