using Portal.Domain.Messages;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// A final delivery state for one message. <see cref="MessageId"/> is known when the connector
/// matched the receipt in memory (or an HTTP callback carries it); otherwise the provider's id is
/// looked up in the database.
/// <see cref="PartIndex"/> (0-based) and <see cref="PartCount"/> say which part of a long message it is
/// for, when the connector knows; the provider's <see cref="ReceiptPolicy"/> combines them.
/// </summary>
/// <see cref="DoneAt"/> is when the receipt reached Portal (Portal's clock); <see cref="SmscDoneAt"/>
/// the SMSC's own done date, kept for reference only (issue 12: SMSC clocks and zones are off).
/// <see cref="PartPrice"/>: the route's price per part when the connector matched the receipt in memory.
/// <remarks>Travels on the bus inside Sending's <c>ReceiptBatch</c> (JSON by property name, so the namespace is not on the wire).</remarks>
public sealed record ReceiptItem(long? MessageId, int ProviderId, string ProviderMessageId, MessageStatus Status, string? ErrorCode, DateTime DoneAt,
    int PartIndex = 0, int PartCount = 1, DateTime? SmscDoneAt = null, decimal? PartPrice = null);

/// <summary>
/// An SMS a client sent us, from an SMPP deliver_sm or an HTTP webhook, on its way through the
/// inbound queue to the processor (opt-out, opt-in, auto-reply, inbox). <see cref="From"/> is E.164.
/// </summary>
public sealed record InboundSms(int? ProviderId, string From, string To, string Text, DateTime ReceivedAt, string? ExternalId);
