using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Alerts;

public static class AlertsSetup
{
    /// <summary>Employee alerts (issue 17, ADR 0014): raised onto the priority lane; the escalation loop runs on every node.</summary>
    public static IServiceCollection AddPortalAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<AlertsOptions>(configuration, AlertsOptions.Section);
        services.AddSingleton<AlertService>();
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<AlertQueries>();
        services.AddHostedService<AlertEscalationService>();
        return services;
    }
}
