namespace Portal.Domain.Messages;

/// <summary>
/// A receipt whose provider message id matched no message after its retries: kept, not dropped,
/// so a submit result recorded later (or an operator) can still apply it. Applied orphans are
/// deleted; the rest are shown on the providers page.
/// </summary>
public sealed class ReceiptOrphan
{
    private ReceiptOrphan() { }

    public ReceiptOrphan(int providerId, string providerMessageId, MessageStatus status, string? errorCode, DateTime doneAt, DateTime receivedAt)
    {
        ProviderId = providerId;
        ProviderMessageId = providerMessageId;
        Status = status;
        ErrorCode = errorCode;
        DoneAt = doneAt;
        ReceivedAt = receivedAt;
    }

    public long Id { get; private set; }
    public int ProviderId { get; private set; }
    public string ProviderMessageId { get; private set; } = "";
    public MessageStatus Status { get; private set; }
    public string? ErrorCode { get; private set; }
    public DateTime DoneAt { get; private set; }
    public DateTime ReceivedAt { get; private set; }
}
