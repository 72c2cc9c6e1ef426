namespace Portal.Infrastructure.Messaging;

public enum MessagingTransport
{
    /// <summary>System.Threading.Channels inside this process; lost on restart. The embedded default.</summary>
    InProcess,
    RabbitMq,
}

/// <summary>Configuration section "Messaging".</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    public MessagingTransport Transport { get; set; } = MessagingTransport.InProcess;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Deliveries of one message, first included, before it is dead-lettered.</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Default <see cref="SubscriptionOptions.Prefetch"/>.</summary>
    public int Prefetch { get; set; } = 10;

    /// <summary>Pause before a failed message is handed back, so a short outage does not burn every attempt at once.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a handler failing on the database, network or broker is retried in place (back-off
    /// from RetryDelay, doubling, at most 30 s) before the failure counts as a delivery attempt.
    /// </summary>
    public TimeSpan InfrastructureRetryWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for a publisher confirm.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for running handlers when a subscription is disposed.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class RabbitMqOptions
{
    /// <summary>For example amqp://guest:guest@127.0.0.1:5672/. Required when Transport is RabbitMq.</summary>
    public string? Uri { get; set; }

    /// <summary>Shown in the management UI's connection list.</summary>
    public string ClientName { get; set; } = "portal";
}
