using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Retention;

public static class RetentionSetup
{
    /// <summary>Issue 14: personal data kept only as long as configured (the nightly job is scheduled by Scheduling).</summary>
    public static IServiceCollection AddPortalRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        services.AddSingleton<DataRetention>();
        return services;
    }
}
