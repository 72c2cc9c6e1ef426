namespace Portal.Infrastructure.Messaging;

public sealed record SubscriptionOptions
{
    /// <summary>
    /// Most messages delivered to this subscription and not yet acknowledged (AMQP basic.qos).
    /// Null: <see cref="MessagingOptions.Prefetch"/>.
    /// </summary>
    public int? Prefetch { get; init; }

    /// <summary>Handlers running at once; at most <see cref="Prefetch"/>. Default 1 (in order).</summary>
    public int Concurrency { get; init; } = 1;
}
