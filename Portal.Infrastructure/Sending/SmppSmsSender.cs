using System.Globalization;
using Portal.Domain.Messages;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Sending;

/// <summary>Sends through one <see cref="SmppConnector"/>; its outcome maps onto message states.</summary>
internal sealed class SmppSmsSender(SmppConnector connector) : ISmsSender
{
    public SmppConnector Connector => connector;

    public async Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct)
    {
        var submission = new SmsSubmission(sms.MessageId.ToString(CultureInfo.InvariantCulture), sms.From, sms.To, sms.Text)
        {
            ValidityPeriod = sms.Validity is { } v ? RelativeValidity(v) : string.Empty,
        };
        var outcome = await connector.SubmitAsync(submission, ct);
        return outcome switch
        {
            SubmitOutcome.Accepted a => new SendResult(MessageStatus.Submitted, StoredId(a.MessageIds.Count > 0 ? a.MessageIds[0] : null), a.MessageIds.Count, null),
            SubmitOutcome.Rejected r => new SendResult(MessageStatus.Rejected, null, 0, ErrorCode(r.Status),
                // Never left this process (no bind, stopping) and nothing was accepted: safe to send later.
                NotSent: r.MessageIds.All(id => id is null) && !r.IsPermanent && r.Status is CommandStatus.BindFailed or CommandStatus.UnknownError),
            SubmitOutcome.Uncertain => new SendResult(MessageStatus.Uncertain, null, 0, "no-response"),
            _ => throw new InvalidOperationException("Unknown SMPP outcome."),
        };
    }

    /// <summary>
    /// The first part's id as the connector's matching rule normalises it, the same key receipts
    /// carry (<see cref="ReceiptReceived.NormalizedMessageId"/>): a hex "0000001A" answer and a
    /// decimal "26" receipt then meet in the (ProviderId, ProviderMessageId) index.
    /// </summary>
    private string? StoredId(string? id) => id is null ? null : connector.Options.MessageIdMatching.NormalizeSubmitted(id);

    private static string ErrorCode(CommandStatus status) => "smpp:0x" + ((uint)status).ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>SMPP 3.4 section 7.1.1 relative time: YYMMDDhhmmss000R.</summary>
    internal static string RelativeValidity(TimeSpan v)
    {
        if (v < TimeSpan.FromMinutes(1)) v = TimeSpan.FromMinutes(1);
        var days = Math.Min(v.Days, 99);
        return string.Create(CultureInfo.InvariantCulture, $"0000{days:00}{v.Hours:00}{v.Minutes:00}{v.Seconds:00}000R");
    }
}
