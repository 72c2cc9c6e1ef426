using Portal.Domain.Campaigns;

namespace Portal.Domain.Messages;

/// <summary>Who put a message on the priority lane (ADR 0010).</summary>
public enum PrioritySource
{
    /// <summary>POST /api/v1/messages (issue 19).</summary>
    Api = 1,
    /// <summary>Employee alarms (issue 17): same lane, same sender.</summary>
    Alarm = 2,
}

/// <summary>
/// What a message on the priority lane carries besides its <see cref="Message"/> row (which has no
/// campaign): the text as rendered at acceptance, the sender id, an optional provider, its validity
/// and its source. A side table so the 20 M-row Messages table stays narrow; one row per priority
/// message, keyed by the message id.
/// </summary>
public sealed class PriorityMessage
{
    public const int MaxTextLength = 1530; // 10 GSM-7 parts of 153

    private PriorityMessage() { }

    public PriorityMessage(long messageId, PrioritySource source, int? apiKeyId, string text, string senderId, int? providerId,
        MessagePurpose purpose, DateTime expiresAt, int? templateId, DateTime createdAt)
    {
        MessageId = messageId;
        Source = source;
        ApiKeyId = apiKeyId;
        Text = text;
        SenderId = senderId;
        ProviderId = providerId;
        Purpose = purpose;
        ExpiresAt = expiresAt;
        TemplateId = templateId;
        CreatedAt = createdAt;
    }

    public long MessageId { get; private set; }
    public PrioritySource Source { get; private set; }
    public int? ApiKeyId { get; private set; }
    /// <summary>The text exactly as sent (personal data: shown only to roles with the permission).</summary>
    public string Text { get; private set; } = "";
    public string SenderId { get; private set; } = "";
    /// <summary>The provider the caller named; null routes least-cost like a campaign.</summary>
    public int? ProviderId { get; private set; }
    public MessagePurpose Purpose { get; private set; }
    /// <summary>Not submitted after this: the message expires (the caller's validity).</summary>
    public DateTime ExpiresAt { get; private set; }
    public int? TemplateId { get; private set; }
    public DateTime CreatedAt { get; private set; }
    /// <summary>
    /// Send as a flash SMS (message class 0, shown at once and not stored) where the provider
    /// supports it (its settings say so); elsewhere it goes as an ordinary SMS. Alarms only (issue 17).
    /// </summary>
    public bool Flash { get; set; }
}
