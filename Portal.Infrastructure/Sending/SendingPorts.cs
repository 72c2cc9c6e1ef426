using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>Handles one message from the inbound queue (Inbound's <c>InboundProcessor</c>: opt-outs, auto-replies, the inbox).</summary>
public interface IInboundHandler
{
    Task ProcessAsync(InboundSms sms, CancellationToken ct);
}

/// <summary>
/// Where the sender and the receipt processor report messages that became final, inside their own
/// transaction, for the send API's status callbacks (MessagesApi's <c>StatusCallbackOutbox</c>).
/// Defined here so Sending never names MessagesApi.
/// </summary>
public interface IStatusCallbackQueue
{
    Task EnqueueAsync(System.Data.Common.DbConnection connection, IReadOnlyList<long> messageIds, CancellationToken ct);

    Task EnqueueByProviderIdsAsync(System.Data.Common.DbConnection connection, IReadOnlyList<(int ProviderId, string ProviderMessageId)> keys, CancellationToken ct);
}
