using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Domain.Templates;
using Portal.Infrastructure.Campaigns;

namespace Portal.Infrastructure.Sending;

public static class SendingSetup
{
    /// <summary>The dispatch pipeline: launch, senders, receipts, sweeper, the embedded SMSC and ICampaignOperations.</summary>
    public static IServiceCollection AddPortalSending(this IServiceCollection services, IConfiguration configuration, Cluster.NodeRoles? roles = null)
    {
        services.AddOptions<SendingOptions>().Bind(configuration.GetSection(SendingOptions.Section));
        // Issue 13: a node without the sender role consumes nothing, connects to no provider and runs
        // no simulator; it still launches campaigns (publishes chunks) and serves the dashboards.
        var sender = roles?.Sender ?? true;
        if (!sender)
        {
            services.PostConfigure<SendingOptions>(o => o.Enabled = false);
        }
        services.TryAddSingleton(_ => new TemplateEngine());
        services.AddSingleton<DispatchCampaigns>();
        // With the in-process bus, receipts are stored before the SMSC is answered (its queue dies with the process).
        services.AddSingleton(sp => new ReceiptForwarder(sp.GetRequiredService<Messaging.IMessageBus>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SendingOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ReceiptForwarder>>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Messaging.MessagingOptions>>().Value.Transport == Messaging.MessagingTransport.InProcess
                ? sp.GetRequiredService<ReceiptProcessor>() : null));
        services.AddSingleton<Messaging.DeadLetters>();
        // Replies from clients (issue 7, item 5): MO reassembly and the inbound queue's consumer.
        services.AddOptions<Inbound.InboundOptions>().Bind(configuration.GetSection(Inbound.InboundOptions.Section));
        services.AddSingleton<Inbound.MoForwarder>();
        services.AddSingleton<Inbound.InboundProcessor>();
        services.AddSingleton<ProviderConnections>();
        // Least-cost routing with failover and circuit breakers (issue 7), in Infrastructure/Providers.
        services.AddSingleton<IMessageRouter>(sp => sp.GetRequiredService<Providers.LeastCostMessageRouter>());
        services.AddSingleton<ChunkSender>();
        // The priority lane (ADR 0010): API messages now, employee alarms next; one queue, one sender, one gate.
        services.AddSingleton<PriorityLane>();
        services.AddSingleton<PrioritySender>();
        services.AddSingleton<PriorityPublisher>();
        services.AddOptions<MessagesApi.MessagesApiOptions>().BindConfiguration(MessagesApi.MessagesApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MessagesApi.StatusCallbackOutbox>();
        services.AddSingleton<MessagesApi.CallbackSecrets>();
        services.AddSingleton<MessagesApi.MessageSubmission>();
        // Employee alerts (issue 17, ADR 0014): raised onto the same priority lane; escalation loop on every node.
        services.AddOptions<Alerts.AlertsOptions>().BindConfiguration(Alerts.AlertsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Alerts.AlertService>();
        services.AddSingleton<Alerts.StaffDirectory>();
        services.AddSingleton<Alerts.AlertQueries>();
        services.AddHostedService<Alerts.AlertEscalationService>();
        services.AddHttpClient(MessagesApi.StatusCallbackService.HttpClientName, (sp, http) =>
            http.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MessagesApi.MessagesApiOptions>>().Value.CallbackTimeout);
        services.AddSingleton<MessagesApi.StatusCallbackService>();
        services.AddHostedService(sp => sp.GetRequiredService<MessagesApi.StatusCallbackService>());
        services.AddSingleton<ReceiptPolicies>();
        services.AddSingleton<ReceiptProcessor>();
        services.AddSingleton<ChunkPublisher>();
        services.AddSingleton<DispatchSweeper>();
        services.AddSingleton<CampaignLauncher>();
        services.AddSingleton<ApprovalGuard>();
        services.AddSingleton<CampaignRuns>();
        services.AddSingleton(ApprovalThresholds.From(configuration));
        services.AddSingleton<ICampaignOperations, CampaignOperations>();
        // Order matters: the simulator and its provider row exist before the sender starts.
        services.AddOptions<SmscOptions>().Bind(configuration.GetSection(SmscOptions.Section));
        services.AddSingleton(sp => (configuration.GetSection(SandboxReplies.Section).Get<SandboxReplies>() ?? new SandboxReplies())
            .UsePersistence(sp.GetRequiredService<IDbContextFactory<Persistence.PortalDbContext>>()));
        services.AddSingleton<EmbeddedSmsc>();
        if (sender)
        {
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSmsc>());
            services.AddHostedService<SendingService>();
        }
        return services;
    }
}
