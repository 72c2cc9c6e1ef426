using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Receipts;

/// <summary>
/// A delivery receipt (SMPP 3.4 appendix B and the receipted_message_id / message_state /
/// network_error_code TLVs). The receipt's "text:" field is deliberately not kept: it is a copy of
/// the message text, i.e. personal data.
/// </summary>
public sealed record DeliveryReceipt(
    string MessageId,
    MessageState State,
    string? ErrorCode = null,
    int? Submitted = null,
    int? Delivered = null,
    DateTime? SubmitDate = null,
    DateTime? DoneDate = null,
    NetworkError? NetworkError = null)
{
    /// <summary>Final states end a message's life; ENROUTE/ACCEPTD/SCHEDULED are intermediate.</summary>
    public bool IsFinal => State is not (MessageState.Enroute or MessageState.Accepted or MessageState.Scheduled);

    /// <summary>The "stat:" word for a state (appendix B table B-2).</summary>
    public static string StatWord(MessageState state) => state switch
    {
        MessageState.Scheduled => "SCHEDUL",
        MessageState.Enroute => "ENROUTE",
        MessageState.Delivered => "DELIVRD",
        MessageState.Expired => "EXPIRED",
        MessageState.Deleted => "DELETED",
        MessageState.Undeliverable => "UNDELIV",
        MessageState.Accepted => "ACCEPTD",
        MessageState.Unknown => "UNKNOWN",
        MessageState.Rejected => "REJECTD",
        _ => "UNKNOWN",
    };

    /// <summary>Appendix B text form, as SMSCs put it in short_message.</summary>
    public string ToText(string? text = null) =>
        $"id:{MessageId} sub:{Submitted ?? 1:D3} dlvrd:{Delivered ?? (State == MessageState.Delivered ? 1 : 0):D3} " +
        $"submit date:{SubmitDate ?? DateTime.UtcNow:yyMMddHHmm} done date:{DoneDate ?? DateTime.UtcNow:yyMMddHHmm} " +
        $"stat:{StatWord(State)} err:{ErrorCode ?? "000"} text:{text}";
}
