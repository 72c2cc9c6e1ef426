using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Dashboard;

public static class DashboardSetup
{
    /// <summary>The live dashboard's queries (one shared snapshot per tick) and this node's provider statistics publisher.</summary>
    public static IServiceCollection AddPortalDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection(DashboardOptions.Section));
        services.AddSingleton<DashboardQueries>();
        services.AddSingleton<IDashboardQueries>(sp => sp.GetRequiredService<DashboardQueries>());
        services.AddHostedService<ProviderStatsPublisher>();
        return services;
    }
}
