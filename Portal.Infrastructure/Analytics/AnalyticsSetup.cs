using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Analytics;

public static class AnalyticsSetup
{
    /// <summary>Issue 15: conversions attributed as events arrive, campaign results over kept cells, the cross-campaign report.</summary>
    public static IServiceCollection AddPortalAnalytics(this IServiceCollection services, IConfiguration configuration, Cluster.NodeRoles roles)
    {
        services.AddPortalOptions<AnalyticsOptions>(configuration, AnalyticsOptions.Section);
        services.AddSingleton<ConversionAttributor>();
        services.AddSingleton<CampaignResults>();
        services.AddSingleton<AudienceResults>();
        services.AddSingleton<CampaignsReport>();
        // Background work, so a scheduler's: a web-only or sender-only node does not poll the events table.
        if (roles.Scheduler)
        {
            services.AddHostedService<AttributionService>();
        }
        return services;
    }
}
