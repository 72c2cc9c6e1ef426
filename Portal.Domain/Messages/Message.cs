namespace Portal.Domain.Messages;

public enum MessageStatus
{
    /// <summary>Snapshotted into a campaign, waiting to be sent. The only state a message is submitted from.</summary>
    Queued = 0,
    /// <summary>Held back by quiet hours in the client's time zone until <see cref="Message.NotBefore"/>.</summary>
    Deferred = 1,
    /// <summary>In the control group: deliberately not sent, to measure uplift.</summary>
    Control = 2,
    Submitted = 3,
    Delivered = 4,
    Undeliverable = 5,
    Expired = 6,
    Rejected = 7,
    /// <summary>Submitted but no response came: it may or may not have been sent.</summary>
    Uncertain = 8,
    Unknown = 9,
    Cancelled = 10,
    /// <summary>
    /// Claimed by a sender and on its way to the provider; the result is not recorded yet. A message
    /// still here after its sender died was possibly sent: it is re-submitted once, flagged
    /// <see cref="Message.Resubmitted"/>.
    /// </summary>
    Submitting = 11,
}

/// <summary>One SMS to one client in one campaign (or an alert, or a test send).</summary>
public sealed class Message
{
    private Message() { }

    public Message(int? campaignId, long clientId, string phone, DateTime createdAt)
    {
        CampaignId = campaignId;
        ClientId = clientId;
        Phone = phone;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public int? CampaignId { get; private set; }
    public long ClientId { get; private set; }
    /// <summary>The number it went to, kept because the client's number may change later.</summary>
    public string Phone { get; private set; } = "";
    public MessageStatus Status { get; set; }
    public int? ProviderId { get; set; }
    public string? ProviderMessageId { get; set; }
    public int Parts { get; set; }
    public decimal Cost { get; set; }
    public string? ErrorCode { get; set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? NotBefore { get; set; }
    /// <summary>
    /// When the message was claimed for submission (Portal's clock): a receipt always arrives after it.
    /// Never moved by the submit lease, whose heartbeat is <see cref="LeaseRenewedAt"/>.
    /// </summary>
    public DateTime? SubmittedAt { get; set; }
    /// <summary>
    /// The submit lease's heartbeat while a sender holds the message in Submitting (issue 12/13): set
    /// at the claim and renewed while a paced batch runs; a peer takes the message over only once it
    /// is older than the in-flight grace. Kept apart from SubmittedAt, which a renewal moved past the
    /// receipt's arrival (2 of 2,000 messages "delivered before they were submitted").
    /// </summary>
    public DateTime? LeaseRenewedAt { get; set; }
    /// <summary>
    /// When the deciding receipt reached Portal (Portal's clock, issue 12): what the dashboard and
    /// reports count. The SMSC's own "done date" is in <see cref="SmscDoneAt"/>.
    /// </summary>
    public DateTime? DoneAt { get; set; }
    /// <summary>The deciding receipt's "done date" as the SMSC reported it (its clock, often another time zone): for reference only.</summary>
    public DateTime? SmscDoneAt { get; set; }
    /// <summary>Sent again after its sender died mid-submit: the client may have received it twice.</summary>
    public bool Resubmitted { get; set; }
    /// <summary>
    /// Bit i set: part i of a long message has a Delivered receipt, whatever the receipt policy
    /// (issue 12: every part counts, also after the message became final). The "all parts" policy
    /// makes the message Delivered once every part's bit is set.
    /// </summary>
    public long DeliveredParts { get; set; }
}
