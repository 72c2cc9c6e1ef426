using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Importing;

public static class ImportingSetup
{
    /// <summary>File imports of clients: the set-based importer and the runner that reports progress.</summary>
    public static IServiceCollection AddPortalImporting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<ImportOptions>(configuration, ImportOptions.Section);
        services.AddSingleton<IValidateOptions<ImportOptions>, ImportOptionsValidator>();
        services.AddSingleton<ClientImporter>();
        services.AddSingleton<ImportRunner>();
        return services;
    }
}
