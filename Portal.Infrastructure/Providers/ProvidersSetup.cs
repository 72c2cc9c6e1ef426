using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Providers;

public static class ProvidersSetup
{
    /// <summary>
    /// The provider registry, price lists and the least-cost router. The router is registered as
    /// itself; making it the <see cref="Sending.IMessageRouter"/> is one line in SendingSetup.
    /// </summary>
    public static IServiceCollection AddPortalProviders(this IServiceCollection services)
    {
        services.AddSingleton<ProviderSecrets>();
        services.AddSingleton<ProviderRegistryVersion>();
        services.AddSingleton<ProviderStore>();
        services.AddSingleton<PriceListImport>();
        services.AddSingleton<ProviderHealthBoard>();
        services.AddSingleton<LeastCostMessageRouter>();
        services.AddSingleton<RouteLookup>();
        return services;
    }
}
