using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Integrations.Sync;

namespace Portal.Infrastructure.Integrations;

public static class IntegrationsSetup
{
    /// <summary>
    /// Other systems: API keys, and scheduled sync sources. Their credentials are encrypted with Data
    /// Protection, whose key ring is persisted under App_Data/keys (embedded default) or
    /// <c>DataProtection:KeysPath</c>: every node must share it, or a node cannot decrypt what another stored.
    /// </summary>
    public static IServiceCollection AddPortalIntegrations(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddSingleton<ApiKeyService>();
        services.AddPortalOptions<SyncOptions>(configuration, SyncOptions.Section);
        var keys = configuration["DataProtection:KeysPath"] is { Length: > 0 } path ? path : Path.Combine(contentRoot, "App_Data", "keys");
        services.AddDataProtection().SetApplicationName("Portal").PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.AddHttpClient(SyncRunner.HttpClientName, (sp, http) => http.Timeout = sp.GetRequiredService<IOptions<SyncOptions>>().Value.HttpTimeout)
            .ConfigurePrimaryHttpMessageHandler(SyncRunner.CreateHttpHandler);
        services.AddSingleton<SyncSecrets>();
        services.AddSingleton<SyncRunner>();
        services.AddSingleton<SyncSourceCatalog>();
        return services;
    }
}
