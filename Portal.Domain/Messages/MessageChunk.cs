namespace Portal.Domain.Messages;

public enum MessageChunkStatus
{
    /// <summary>Cut at launch, not yet confirmed by the broker.</summary>
    Created = 0,
    /// <summary>On the bus (publisher confirm received).</summary>
    Published = 1,
    /// <summary>Every message of the range left the Queued state (sent, deferred, expired or cancelled).</summary>
    Done = 2,
}

/// <summary>
/// A range of one campaign's message ids handed to the senders as one bus message. Ranges rather
/// than id lists keep the bus message tiny and let a redelivered chunk find exactly its messages.
/// </summary>
public sealed class MessageChunk
{
    private MessageChunk() { }

    public MessageChunk(int campaignId, long firstMessageId, long lastMessageId, int count)
    {
        CampaignId = campaignId;
        FirstMessageId = firstMessageId;
        LastMessageId = lastMessageId;
        Count = count;
    }

    public long Id { get; private set; }
    public int CampaignId { get; private set; }
    public long FirstMessageId { get; private set; }
    public long LastMessageId { get; private set; }
    public int Count { get; private set; }
    public MessageChunkStatus Status { get; set; }
    public DateTime? PublishedAt { get; set; }
    public DateTime? DoneAt { get; set; }
}
