using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Inbound;

public static class InboundSetup
{
    /// <summary>Replies from clients (issue 7, item 5): MO reassembly, the inbound queue's consumer, and the inbox.</summary>
    public static IServiceCollection AddPortalInbound(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<InboundOptions>(configuration, InboundOptions.Section);
        services.AddSingleton<MoForwarder>();
        services.AddSingleton<Providers.IMoSink>(sp => sp.GetRequiredService<MoForwarder>());
        services.AddSingleton<InboundProcessor>();
        services.AddSingleton<Sending.IInboundHandler>(sp => sp.GetRequiredService<InboundProcessor>());
        services.AddSingleton<InboxQueries>();
        return services;
    }
}
