using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Campaigns;

public static class CampaignsSetup
{
    /// <summary>Campaigns: the catalogue, audiences at launch, the launch itself, approval and the operations on a campaign.</summary>
    public static IServiceCollection AddPortalCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CampaignAudience>();
        services.AddSingleton<CampaignCatalog>();
        services.AddSingleton<ICampaignEstimator, CampaignEstimator>();
        services.AddSingleton<CampaignLauncher>();
        services.AddSingleton<ApprovalGuard>();
        services.AddSingleton<CampaignRuns>();
        services.AddSingleton(ApprovalThresholds.From(configuration));
        services.AddSingleton<ICampaignOperations, CampaignOperations>();
        return services;
    }
}
