using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Publishes a campaign's chunk rows (with confirms) and records them Published.
/// New chunks are claimed before they are published (PublishedAt set on a Created row by one
/// guarded UPDATE), so the launcher and a sweeper running in the window between the launch's
/// commit and its publish do not both publish them: a second copy re-sent nothing (messages are
/// claimed one by one) but was processed outside the launch's trace (issue 22: the pipeline trace
/// test lost a chunk's submits to the sweeper's copy). A claim not confirmed within
/// <see cref="SendingOptions.PublishLease"/> (its publisher died) is taken again.
/// </summary>
public sealed class ChunkPublisher(IDbContextFactory<PortalDbContext> contexts, IMessageBus bus, TimeProvider clock, IOptions<SendingOptions> options)
{
    /// <summary>Chunks still Created (just cut, or left by a crash before publishing) and not claimed by another publisher.</summary>
    public async Task<int> PublishPendingAsync(int campaignId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var chunks = new List<DispatchChunk>();
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await db.Database.OpenConnectionAsync(ct);
            await using var claim = DispatchSql.Command(db.Database.GetDbConnection(), $"""
                UPDATE "MessageChunks" SET "PublishedAt" = @now
                WHERE "CampaignId" = @campaign AND "Status" = {(int)MessageChunkStatus.Created}
                  AND ("PublishedAt" IS NULL OR "PublishedAt" < @expired)
                RETURNING "Id", "CampaignId", "FirstMessageId", "LastMessageId"
                """);
            claim.Add("@campaign", campaignId);
            claim.AddTime("@now", now);
            claim.AddTime("@expired", now - options.Value.PublishLease);
            await using var reader = await DispatchSql.RetryOnConflictAsync(() => claim.ExecuteReaderAsync(ct), ct);
            while (await reader.ReadAsync(ct)) chunks.Add(new DispatchChunk(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        chunks.Sort((a, b) => a.ChunkId.CompareTo(b.ChunkId));
        return await PublishClaimedAsync(chunks, ct);
    }

    /// <summary>Publishes chunks this caller claimed (by the claim above, or born claimed at launch); gives the claim back on failure.</summary>
    public async Task<int> PublishClaimedAsync(List<DispatchChunk> chunks, CancellationToken ct)
    {
        try
        {
            return await PublishAsync(chunks, ct);
        }
        catch
        {
            // Not confirmed (broker down): give the claim back so the next sweep publishes them at once.
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            var ids = chunks.Select(c => c.ChunkId).ToList();
            await db.MessageChunks.Where(c => ids.Contains(c.Id) && c.Status == MessageChunkStatus.Created)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.PublishedAt, (DateTime?)null), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Every chunk not Done (resume after pause).</summary>
    public Task<int> PublishOpenAsync(int campaignId, CancellationToken ct) =>
        PublishAsync(campaignId, c => c.Status != MessageChunkStatus.Done, ct);

    /// <summary>
    /// Recovery of the in-process bus after a restart: chunks not Done that were published (or claimed)
    /// before this process started, whose bus messages died with the last one. A launch that beat the
    /// recovery at start-up published its chunks into this process's queues: they are not published twice.
    /// </summary>
    public Task<int> PublishOpenBeforeAsync(int campaignId, DateTime startedAt, CancellationToken ct) =>
        PublishAsync(campaignId, c => c.Status != MessageChunkStatus.Done && c.PublishedAt <= startedAt, ct);

    /// <summary>Chunks published before <paramref name="before"/> and still not done: their bus message was lost or dead-lettered.</summary>
    public Task<int> PublishStalledAsync(int campaignId, DateTime before, CancellationToken ct) =>
        PublishAsync(campaignId, c => c.Status == MessageChunkStatus.Published && c.PublishedAt < before, ct);

    private async Task<int> PublishAsync(int campaignId, System.Linq.Expressions.Expression<Func<MessageChunk, bool>> which, CancellationToken ct)
    {
        List<DispatchChunk> chunks;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            chunks = await db.MessageChunks.AsNoTracking().Where(c => c.CampaignId == campaignId).Where(which)
                .OrderBy(c => c.Id)
                .Select(c => new DispatchChunk(c.Id, c.CampaignId, c.FirstMessageId, c.LastMessageId))
                .ToListAsync(ct);
        }
        return await PublishAsync(chunks, ct);
    }

    private async Task<int> PublishAsync(List<DispatchChunk> chunks, CancellationToken ct)
    {
        if (chunks.Count == 0) return 0;
        var queue = options.Value.ChunkQueue;
        // Confirms are awaited per message; a few in parallel keep the broker busy.
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (chunk, token) => await bus.PublishAsync(queue, chunk, token));
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            foreach (var slice in chunks.Select(c => c.ChunkId).Chunk(1000))
            {
                await db.MessageChunks.Where(c => slice.Contains(c.Id) && c.Status != MessageChunkStatus.Done)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, MessageChunkStatus.Published).SetProperty(c => c.PublishedAt, now), ct);
            }
        }
        return chunks.Count;
    }
}
