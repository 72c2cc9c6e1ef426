using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Dashboard;

public static class DashboardSetup
{
    /// <summary>The live dashboard's queries (one shared snapshot per tick) and this node's provider statistics publisher.</summary>
    public static IServiceCollection AddPortalDashboard(this IServiceCollection services, IConfiguration configuration, Cluster.NodeRoles? roles = null)
    {
        services.AddPortalOptions<DashboardOptions>(configuration, DashboardOptions.Section);
        services.AddSingleton<DashboardQueries>();
        services.AddSingleton<IDashboardQueries>(sp => sp.GetRequiredService<DashboardQueries>());
        // The dashboard page is served by web nodes: they keep it warm for its first viewer.
        if (roles?.Web ?? true)
        {
            services.AddHostedService<DashboardWarmer>();
        }
        // A node's provider connections exist on senders only (issue 13: node roles).
        if (roles?.Sender ?? true)
        {
            services.AddHostedService<ProviderStatsPublisher>();
        }
        return services;
    }

    /// <summary>
    /// What a node tells Prometheus about itself: its gauges (<see cref="NodeTelemetry"/>, when
    /// telemetry is on) and the ready-only provider check. Registered after
    /// <see cref="Telemetry.TelemetrySetup.AddPortalTelemetry"/>, whose metrics port must be listening
    /// before the gauges' warm-up scrape (hosted services start in registration order).
    /// </summary>
    public static IServiceCollection AddPortalNodeGauges(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHealthChecks().AddCheck<Sending.ProviderReadyHealthCheck>(Sending.ProviderReadyHealthCheck.Name,
            tags: [Sending.ProviderReadyHealthCheck.ReadyOnlyTag]);
        if (Telemetry.TelemetrySetup.Options(configuration).Enabled)
        {
            services.AddSingleton<NodeTelemetry>();
            services.AddHostedService(sp => sp.GetRequiredService<NodeTelemetry>());
        }
        return services;
    }
}
