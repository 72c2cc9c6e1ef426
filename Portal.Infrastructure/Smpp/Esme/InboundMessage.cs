using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>Something the SMSC sent us: a delivery receipt or a mobile-originated message.</summary>
public abstract record InboundMessage(string Provider)
{
    /// <summary>With <see cref="SmppConnectorOptions.DurableAcknowledgements"/>: completes the SMSC's pending deliver_sm_resp.</summary>
    internal TaskCompletionSource<bool>? Durable { get; init; }

    /// <summary>The item is durable (or deliberately not kept): the SMSC gets its deliver_sm_resp now. Idempotent.</summary>
    public void Acknowledge() => Durable?.TrySetResult(true);

    /// <summary>The item could not be kept: the SMSC is told to deliver it again later (ESME_RX_T_APPN).</summary>
    public void Refuse() => Durable?.TrySetResult(false);
}

/// <summary>
/// A delivery receipt. <see cref="Reference"/>/<see cref="PartIndex"/>/<see cref="PartCount"/> identify
/// the submission (and which of its parts) when the receipt was matched in memory; they are null for a
/// receipt whose message id never showed up within the retention (the caller may still match
/// <see cref="NormalizedMessageId"/> in its store). <see cref="PartPrice"/> is the submission's
/// <see cref="SmsSubmission.PartPrice"/>, handed back.
/// </summary>
public sealed record ReceiptReceived(
    string Provider,
    DeliveryReceipt Receipt,
    string NormalizedMessageId,
    string? Reference,
    int? PartIndex,
    int? PartCount = null,
    decimal? PartPrice = null) : InboundMessage(Provider);

/// <summary>An MO message. <see cref="Part"/> is set when it is one part of a concatenated message.</summary>
public sealed record MoMessageReceived(
    string Provider,
    SmeAddress From,
    SmeAddress To,
    string Text,
    byte DataCoding,
    ConcatenationInfo? Part) : InboundMessage(Provider);

/// <summary>
/// A submit_sm_resp that arrived after its timeout, for a part <see cref="SmppConnector.SubmitAsync"/>
/// already reported as <see cref="SubmitOutcome.Uncertain"/>: the part is now known to be accepted
/// (with <see cref="MessageId"/>, and registered for receipt matching) or rejected.
/// </summary>
public sealed record LateSubmitResponse(
    string Provider,
    string Reference,
    int PartIndex,
    CommandStatus Status,
    string? MessageId) : InboundMessage(Provider);
