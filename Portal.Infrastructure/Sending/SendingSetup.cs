using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

public static class SendingSetup
{
    /// <summary>The dispatch pipeline: chunks, senders, the priority lane, receipts, the sweeper and the embedded SMSC.</summary>
    public static IServiceCollection AddPortalSending(this IServiceCollection services, IConfiguration configuration, Cluster.NodeRoles? roles = null)
    {
        services.AddPortalOptions<SendingOptions>(configuration, SendingOptions.Section);
        // Issue 13: a node without the sender role consumes nothing, connects to no provider and runs
        // no simulator; it still launches campaigns (publishes chunks) and serves the dashboards.
        var sender = roles?.Sender ?? true;
        if (!sender)
        {
            services.PostConfigure<SendingOptions>(o => o.Enabled = false);
        }
        services.AddSingleton<DispatchCampaigns>();
        services.AddSingleton<ChunkPublisher>();
        // With the in-process bus, receipts are stored before the SMSC is answered (its queue dies with the process).
        services.AddSingleton(sp => new ReceiptForwarder(sp.GetRequiredService<Messaging.IMessageBus>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SendingOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ReceiptForwarder>>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Messaging.MessagingOptions>>().Value.Transport == Messaging.MessagingTransport.InProcess
                ? sp.GetRequiredService<ReceiptProcessor>() : null));
        services.AddSingleton<Providers.IReceiptSink>(sp => sp.GetRequiredService<ReceiptForwarder>());
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<Providers.ProviderConnections>();
        // Least-cost routing with failover and circuit breakers (issue 7), in Infrastructure/Providers.
        services.AddSingleton<Providers.IMessageRouter>(sp => sp.GetRequiredService<Providers.LeastCostMessageRouter>());
        services.AddSingleton<ChunkSender>();
        // The priority lane (ADR 0010): API messages now, employee alarms next; one queue, one sender, one gate.
        services.AddSingleton<PriorityLane>();
        services.AddSingleton<PrioritySender>();
        services.AddSingleton<PriorityPublisher>();
        services.AddSingleton<ReceiptPolicies>();
        services.AddSingleton<ReceiptProcessor>();
        services.AddSingleton<DispatchSweeper>();
        // Order matters: the simulator and its provider row exist before the sender starts.
        services.AddPortalOptions<SmscOptions>(configuration, SmscOptions.Section);
        services.AddSingleton(sp => (configuration.GetSection(SandboxReplies.Section).Get<SandboxReplies>() ?? new SandboxReplies())
            .UsePersistence(sp.GetRequiredService<IDbContextFactory<Persistence.PortalDbContext>>()));
        services.AddSingleton<EmbeddedSmsc>();
        services.AddSingleton<Providers.IEmbeddedSmsc>(sp => sp.GetRequiredService<EmbeddedSmsc>());
        if (sender)
        {
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSmsc>());
            services.AddHostedService<SendingService>();
        }
        return services;
    }
}
