using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>One chunk on the bus: a range of a campaign's message ids (see <see cref="MessageChunk"/>).</summary>
public sealed record DispatchChunk(long ChunkId, int CampaignId, long FirstMessageId, long LastMessageId);

/// <summary>Receipts travel in batches: one bus message and one UPDATE per batch.</summary>
public sealed record ReceiptBatch(IReadOnlyList<ReceiptItem> Items, int Attempt = 0);
