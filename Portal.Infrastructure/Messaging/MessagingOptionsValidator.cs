using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Messaging;

internal sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
{
    // x-delivery-limit is stored per message by quorum queues; keep it sane.
    internal const int MaxDeliveryAttemptsLimit = 1000;

    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Transport))
        {
            failures.Add($"Messaging:Transport must be {nameof(MessagingTransport.InProcess)} or {nameof(MessagingTransport.RabbitMq)}.");
        }
        if (options.MaxDeliveryAttempts is < 1 or > MaxDeliveryAttemptsLimit)
        {
            failures.Add($"Messaging:MaxDeliveryAttempts must be between 1 and {MaxDeliveryAttemptsLimit}.");
        }
        if (options.Prefetch is < 1 or > ushort.MaxValue)
        {
            failures.Add($"Messaging:Prefetch must be between 1 and {ushort.MaxValue}.");
        }
        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add("Messaging:RetryDelay must not be negative.");
        }
        if (options.PublishTimeout <= TimeSpan.Zero)
        {
            failures.Add("Messaging:PublishTimeout must be positive.");
        }
        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add("Messaging:ShutdownTimeout must not be negative.");
        }
        if (options.Transport == MessagingTransport.RabbitMq)
        {
            if (!Uri.TryCreate(options.RabbitMq.Uri, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("amqp" or "amqps"))
            {
                failures.Add("Messaging:RabbitMq:Uri must be an amqp:// or amqps:// URI when Messaging:Transport is RabbitMq.");
            }
            if (string.IsNullOrWhiteSpace(options.RabbitMq.ClientName))
            {
                failures.Add("Messaging:RabbitMq:ClientName must not be empty.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
