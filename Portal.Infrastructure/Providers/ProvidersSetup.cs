using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Providers;

public static class ProvidersSetup
{
    /// <summary>
    /// The provider registry, price lists, the least-cost router and what HTTP providers need
    /// (their shared client, callback URLs and the callbacks' provider lookup). The router is registered as
    /// itself; making it the <see cref="IMessageRouter"/> is one line in SendingSetup.
    /// </summary>
    public static IServiceCollection AddPortalProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ProviderSecrets>();
        services.AddSingleton<ProviderRegistryVersion>();
        services.AddSingleton<ProviderStore>();
        services.AddSingleton<PriceListImport>();
        services.AddPortalOptions<ProvidersOptions>(configuration, ProvidersOptions.Section)
            .Validate(o => o.CircuitThreshold >= 1 && o.CircuitCoolDown > TimeSpan.Zero, "Providers:CircuitThreshold is at least 1 and Providers:CircuitCoolDown positive.")
            .Validate(o => o.CircuitShareRefresh > TimeSpan.Zero && o.CircuitShareRefresh <= TimeSpan.FromMinutes(1), "Providers:CircuitShareRefresh is positive and at most a minute.");
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProvidersOptions>>().Value;
            return new ProviderHealthBoard(sp.GetRequiredService<TimeProvider>()) { Threshold = options.CircuitThreshold, CoolDown = options.CircuitCoolDown, ShareRefresh = options.CircuitShareRefresh };
        });
        services.AddSingleton<ProviderCallbackUrls>();
        services.AddSingleton<ProviderCallbacks>();
        services.AddSingleton<HttpProviderSenders>();
        // One pooled client for every HTTP provider. Its request logs would carry phones, texts and
        // passwords in the URL, so the factory's logging is removed; the sender logs ids only.
        services.AddHttpClient(HttpProviderSenders.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AllowAutoRedirect = false,
            })
            .RemoveAllLoggers();
        services.AddSingleton<LeastCostMessageRouter>();
        services.AddSingleton<RouteLookup>();
        services.AddSingleton<RouteQuote>();
        return services;
    }
}
