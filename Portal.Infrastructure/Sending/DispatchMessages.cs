using Portal.Domain.Messages;

namespace Portal.Infrastructure.Sending;

/// <summary>One chunk on the bus: a range of a campaign's message ids (see <see cref="MessageChunk"/>).</summary>
public sealed record DispatchChunk(long ChunkId, int CampaignId, long FirstMessageId, long LastMessageId);

/// <summary>
/// A final delivery state for one message. <see cref="MessageId"/> is known when the connector
/// matched the receipt in memory; otherwise the provider's id is looked up in the database.
/// </summary>
public sealed record ReceiptItem(long? MessageId, int ProviderId, string ProviderMessageId, MessageStatus Status, string? ErrorCode, DateTime DoneAt);

/// <summary>Receipts travel in batches: one bus message and one UPDATE per batch.</summary>
public sealed record ReceiptBatch(IReadOnlyList<ReceiptItem> Items, int Attempt = 0);
