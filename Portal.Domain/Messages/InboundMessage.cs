namespace Portal.Domain.Messages;

public enum InboundKind
{
    /// <summary>An ordinary reply, kept in the inbox against the client's latest campaign message.</summary>
    Reply = 1,
    OptOut = 2,
    OptIn = 3,
}

/// <summary>An SMS a client sent to one of the company's numbers (SMPP deliver_sm or an HTTP webhook).</summary>
public sealed class InboundMessage
{
    private InboundMessage() { }

    public InboundMessage(string from, string to, string text, DateTime receivedAt, InboundKind kind)
    {
        From = from;
        To = to;
        Text = text.Length > 2000 ? text[..2000] : text;
        ReceivedAt = receivedAt;
        Kind = kind;
    }

    public long Id { get; private set; }
    public int? ProviderId { get; set; }
    /// <summary>The sender's number in E.164.</summary>
    public string From { get; private set; } = "";
    /// <summary>The company's number or short code it was sent to.</summary>
    public string To { get; private set; } = "";
    public string Text { get; private set; } = "";
    public DateTime ReceivedAt { get; private set; }
    public InboundKind Kind { get; private set; }
    public long? ClientId { get; set; }
    /// <summary>The campaign message this replies to: the client's latest one before it arrived.</summary>
    public long? MessageId { get; set; }
    public int? CampaignId { get; set; }
    /// <summary>The provider's id of this inbound SMS (webhook or deliver_sm), so a retried delivery is stored once.</summary>
    public string? ExternalId { get; set; }
    /// <summary>When someone in the inbox marked it read; null while unread.</summary>
    public DateTime? ReadAt { get; set; }
    /// <summary>What Portal answered automatically (opt-out confirmation or a keyword auto-reply), if anything.</summary>
    public string? AutoReply { get; set; }
}
