namespace Portal.Domain.Messages;

/// <summary>
/// One accepted part of a long message and the id the provider gave it (issue 12). Receipts carry
/// only that id: with every part's id stored, a receipt of part 2 finds its message after a
/// restart or on another node, and the receipt policy (first/last/all parts) knows which part it is.
/// One-part messages need no row: <see cref="Message.ProviderMessageId"/> is their only id.
/// Written set-based by the sender (INSERT ... ON CONFLICT), never through the change tracker.
/// </summary>
public sealed class MessagePart
{
    private MessagePart() { }

    public MessagePart(long messageId, int partIndex, int providerId, string providerMessageId)
    {
        MessageId = messageId;
        PartIndex = partIndex;
        ProviderId = providerId;
        ProviderMessageId = providerMessageId;
    }

    public long MessageId { get; private set; }

    /// <summary>0-based, in sending order.</summary>
    public int PartIndex { get; private set; }

    public int ProviderId { get; private set; }

    /// <summary>Normalised as receipts carry it (see MessageIdMatching), like Messages.ProviderMessageId.</summary>
    public string ProviderMessageId { get; private set; } = "";
}
