using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Bi;

public static class BiSetup
{
    /// <summary>Issue 16: exports for BI and finance (the scheduled ones' jobs are Scheduling's), and the finance reports.</summary>
    public static IServiceCollection AddPortalBi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<BiOptions>(configuration, BiOptions.Section);
        services.AddSingleton<BiKeyStore>();
        services.AddSingleton<BiReader>();
        services.AddSingleton<BiExporter>();
        services.AddSingleton<BiExportFiles>();
        services.AddSingleton<FinanceReports>();
        return services;
    }
}
