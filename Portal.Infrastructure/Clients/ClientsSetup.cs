using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Clients;

public static class ClientsSetup
{
    /// <summary>The client base: the directory and card, message history, erasure, the API's upserts and events.</summary>
    public static IServiceCollection AddPortalClients(this IServiceCollection services)
    {
        services.AddSingleton<ClientDirectory>();
        services.AddSingleton<ClientMessageHistory>();
        services.AddSingleton<ClientErasure>();
        services.AddSingleton<ClientBatchUpsert>();
        services.AddSingleton<ClientEventIngestion>();
        return services;
    }
}
