using System.Globalization;
using Portal.Domain.Messages;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Providers;

/// <summary>Sends through one <see cref="SmppConnector"/>; its outcome maps onto message states.</summary>
internal sealed class SmppSmsSender(SmppConnector connector, bool supportsFlash = false) : ISmsSender
{
    public SmppConnector Connector => connector;

    public async Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct)
    {
        var submission = new SmsSubmission(sms.MessageId.ToString(CultureInfo.InvariantCulture), sms.From, sms.To, sms.Text)
        {
            ValidityPeriod = sms.Validity is { } v ? RelativeValidity(v) : string.Empty,
            // Throttled parts wait for the SMSC at most until the message expires (issue 12).
            NotAfter = sms.Validity is { } w ? DateTime.UtcNow + w : null,
            // Class 0 only where the provider's settings say it delivers flash SMS (issue 17).
            Flash = sms.Flash && supportsFlash,
            PartPrice = sms.PartPrice,
        };
        var outcome = await connector.SubmitAsync(submission, ct);
        switch (outcome)
        {
            case SubmitOutcome.Accepted a:
                return new SendResult(MessageStatus.Submitted, StoredId(a.MessageIds.Count > 0 ? a.MessageIds[0] : null), a.MessageIds.Count, null)
                {
                    PartIds = a.MessageIds.Count > 1 ? PartIdsOf(a.MessageIds) : null,
                };
            case SubmitOutcome.Rejected r:
                var accepted = r.MessageIds.Count(id => id is not null);
                if (accepted > 0 && r.Interrupted)
                {
                    // Part 1 is out, the rest could not be sent (this sender is stopping): neither
                    // Submitted nor failed. It stays Submitting, so it is re-sent whole, flagged
                    // Resubmitted, like any message a stopped sender left in flight. Its id is not
                    // recorded (issue 12): matched as a one-part message's, the abandoned part 1's
                    // receipt decided the message under "last part" before the resubmission's came.
                    return new SendResult(MessageStatus.Submitting, null, 0, null);
                }
                var code = ErrorCode(r.Status) + (r.FailedPart is { } part ? "@p" + part.ToString(CultureInfo.InvariantCulture) : "");
                return new SendResult(MessageStatus.Rejected, StoredId(r.MessageIds.FirstOrDefault()), accepted, code,
                    // Nothing was accepted and the refusal is temporary (throttled until validity ran out, no
                    // bind, stopping, a busy SMSC): safe to send again later, here or on another provider.
                    // Parts go in order, so "nothing accepted" means no fragment reached the SMSC.
                    NotSent: accepted == 0 && !r.IsPermanent && (r.Throttled || r.Status.IsTemporary() || r.Status == CommandStatus.BindFailed))
                {
                    PartIds = accepted > 0 && r.MessageIds.Count > 1 ? PartIdsOf(r.MessageIds.Take(accepted).ToList()) : null,
                    Throttled = r.Throttled,
                };
            case SubmitOutcome.Uncertain u:
                // Parts accepted before the uncertain one were charged and get receipts: counted, and
                // their ids stored (issue 12: a long message uncertain at part 2 had Parts 0, and part
                // 1's receipt made it Delivered with nothing counted).
                var sure = u.MessageIds.TakeWhile(id => id is not null).ToList();
                return new SendResult(MessageStatus.Uncertain, StoredId(sure.FirstOrDefault()), sure.Count, "no-response")
                {
                    PartIds = sure.Count > 0 && u.MessageIds.Count > 1 ? PartIdsOf(sure) : null,
                };
            default:
                throw new InvalidOperationException("Unknown SMPP outcome.");
        }
    }

    private List<string> PartIdsOf(IReadOnlyList<string?> ids) => ids.Select(id => StoredId(id) ?? "").ToList();

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
