namespace Portal.Infrastructure.Messaging;

/// <summary>
/// Durable work queues: competing consumers, at-least-once delivery, poison messages dead-lettered.
/// Handlers must be idempotent: a message is redelivered whenever its handler did not complete
/// (crash, failure, shutdown), so it can run more than once.
/// </summary>
public interface IMessageBus
{
    /// <summary>
    /// Returns once the message is durable: for RabbitMQ after the broker's publisher confirm.
    /// A nack, an unroutable message or a timeout throws <see cref="MessagePublishException"/>.
    /// The queue (and its dead-letter queue) is declared on first use.
    /// </summary>
    Task PublishAsync<T>(string queue, T message, CancellationToken ct = default);

    /// <summary>
    /// Runs <paramref name="handler"/> per message; the message is acknowledged only after the
    /// handler completes. A handler that throws gets the message again, up to
    /// <see cref="MessagingOptions.MaxDeliveryAttempts"/> deliveries in all; then it goes to the
    /// queue's dead-letter queue. Disposing the returned handle cancels the token handed to the
    /// handlers, waits up to <see cref="MessagingOptions.ShutdownTimeout"/> for them, and returns
    /// every unfinished message to the queue.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync<T>(
        string queue,
        Func<T, CancellationToken, Task> handler,
        SubscriptionOptions? options = null,
        CancellationToken ct = default);

    /// <summary>Ready (not yet delivered) and dead-lettered message counts of a queue.</summary>
    Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default);

    /// <summary>
    /// Moves every message of the queue's dead-letter queue back to the queue as a new message (its
    /// delivery attempts start again); each is removed from the dead letters only once the queue has
    /// it (publisher confirm). Returns how many were moved. Handlers are idempotent, so a replay is safe.
    /// </summary>
    Task<int> ReplayDeadLettersAsync(string queue, CancellationToken ct = default) =>
        throw new NotSupportedException($"{GetType().Name} keeps no dead letters to replay.");
}
