using System.Text;

namespace Portal.Infrastructure.Messaging;

internal static class QueueName
{
    public const string DeadLetterSuffix = ".dead";

    public static string DeadLetter(string queue) => queue + DeadLetterSuffix;

    /// <summary>Same rules for both transports, so a name that works in-process also works on RabbitMQ.</summary>
    public static void Validate(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        // AMQP short strings hold 255 bytes; the dead-letter queue's name is longer by the suffix.
        if (Encoding.UTF8.GetByteCount(queue) + DeadLetterSuffix.Length > 255)
        {
            throw new ArgumentException($"Queue name is longer than {255 - DeadLetterSuffix.Length} bytes.", nameof(queue));
        }
        if (queue.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw new ArgumentException("Queue names starting with \"amq.\" are reserved by RabbitMQ.", nameof(queue));
        }
        if (queue.EndsWith(DeadLetterSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Queue names ending in \"{DeadLetterSuffix}\" are reserved for dead letters.", nameof(queue));
        }
    }
}
