using Microsoft.Extensions.Logging;

namespace Portal.Infrastructure.Messaging;

// Bodies may hold phone numbers and names: log queues, counts and delivery tags, never bodies.
internal static partial class MessagingLog
{
    [LoggerMessage(1, LogLevel.Information, "Subscribed to queue {Queue} (prefetch {Prefetch}, concurrency {Concurrency})")]
    public static partial void Subscribed(this ILogger logger, string queue, int prefetch, int concurrency);

    [LoggerMessage(2, LogLevel.Information, "Unsubscribed from queue {Queue}; {Unfinished} unfinished message(s) returned to the queue")]
    public static partial void Unsubscribed(this ILogger logger, string queue, int unfinished);

    [LoggerMessage(3, LogLevel.Warning, "Handler failed on queue {Queue}, delivery {DeliveryTag}, attempt {Attempt} of {MaxAttempts}")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string queue, ulong deliveryTag, int attempt, int maxAttempts);

    [LoggerMessage(4, LogLevel.Error, "Message on queue {Queue}, delivery {DeliveryTag}, dead-lettered after {Attempts} attempt(s)")]
    public static partial void DeadLettered(this ILogger logger, string queue, ulong deliveryTag, int attempts);

    [LoggerMessage(5, LogLevel.Error, "Message on queue {Queue}, delivery {DeliveryTag}, is not a {MessageType}: dead-lettered without retry")]
    public static partial void Undeserializable(this ILogger logger, Exception exception, string queue, ulong deliveryTag, string messageType);

    [LoggerMessage(6, LogLevel.Warning, "Could not settle delivery {DeliveryTag} on queue {Queue}; the broker will redeliver it")]
    public static partial void SettleFailed(this ILogger logger, Exception exception, string queue, ulong deliveryTag);

    [LoggerMessage(7, LogLevel.Error, "Publish to queue {Queue} failed")]
    public static partial void PublishFailed(this ILogger logger, Exception exception, string queue);

    [LoggerMessage(8, LogLevel.Information, "Declared queue {Queue} and its dead-letter queue")]
    public static partial void QueueDeclared(this ILogger logger, string queue);

    [LoggerMessage(9, LogLevel.Information, "Connected to RabbitMQ at {Endpoint} as {ClientName}")]
    public static partial void Connected(this ILogger logger, string endpoint, string clientName);

    [LoggerMessage(10, LogLevel.Warning, "Replacing the publishing channel after an unexpected failure")]
    public static partial void PublishChannelReplaced(this ILogger logger);

    [LoggerMessage(11, LogLevel.Warning, "Handlers on queue {Queue} still running after the shutdown timeout {Timeout}")]
    public static partial void ShutdownTimedOut(this ILogger logger, string queue, TimeSpan timeout);

    [LoggerMessage(12, LogLevel.Warning, "RabbitMQ refused (nacked) a message on queue {Queue}, attempt {Attempt} of {MaxAttempts}; publishing it again")]
    public static partial void PublishNacked(this ILogger logger, string queue, int attempt, int maxAttempts);
}
