using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// The periodic part of the pipeline, safe on every node at once: deferred messages whose quiet
/// hours ended go back to Queued in new chunks; chunks never published (a crash between commit and
/// publish) are published, and chunks published long ago but never done are published again;
/// campaigns with nothing left to send are completed; orphan receipts whose message now has their
/// provider id are applied, and orphans past their retention are purged.
/// </summary>
public sealed class DispatchSweeper(
    IDbContextFactory<PortalDbContext> contexts,
    ChunkPublisher publisher,
    ReceiptProcessor receipts,
    TimeProvider clock,
    IOptions<SendingOptions> options,
    ILogger<DispatchSweeper> logger)
{
    /// <summary>When this node last re-applied and purged orphan receipts (Environment.TickCount64; far past at start).</summary>
    private long _orphansCheckedAt = long.MinValue / 2;

    public async Task SweepAsync(CancellationToken ct)
    {
        List<int> sending;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            sending = await db.Campaigns.Where(c => c.Status == CampaignStatus.Sending).Select(c => c.Id).ToListAsync(ct);
        }
        foreach (var campaignId in sending)
        {
            var released = await ReleaseDeferredAsync(campaignId, ct);
            await RecoverStrandedAsync(campaignId, ct);
            var published = await publisher.PublishPendingAsync(campaignId, ct);
            var stalled = await publisher.PublishStalledAsync(campaignId, clock.GetUtcNow().UtcDateTime - options.Value.StalledChunkAfter, ct);
            if (stalled > 0) logger.LogWarning("Campaign {CampaignId}: {Chunks} stalled chunks published again", campaignId, stalled);
            if (released > 0 || published > 0)
            {
                logger.LogInformation("Campaign {CampaignId}: {Released} deferred messages due, {Published} chunks published", campaignId, released, published);
            }
            await ChunkSender.TryCompleteAsync(contexts, campaignId, clock, options.Value.InFlightGrace, ct);
        }
        // Not per campaign: an orphan does not know its campaign.
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _orphansCheckedAt) >= options.Value.ReceiptOrphanInterval.TotalMilliseconds)
        {
            Interlocked.Exchange(ref _orphansCheckedAt, now);
            await receipts.ReapplyOrphansAsync(ct);
            await receipts.PurgeOrphansAsync(ct);
        }
    }

    /// <summary>
    /// After a restart with the in-process bus (its queues died with the process): publish again every
    /// open chunk published before <paramref name="startedAt"/>. Chunks never published are the sweep's.
    /// </summary>
    public async Task RecoverAsync(DateTime startedAt, CancellationToken ct)
    {
        List<int> open;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            open = await db.Campaigns.Where(c => c.Status == CampaignStatus.Sending).Select(c => c.Id).ToListAsync(ct);
        }
        foreach (var campaignId in open)
        {
            var count = await publisher.PublishOpenBeforeAsync(campaignId, startedAt, ct);
            if (count > 0) logger.LogInformation("Campaign {CampaignId}: {Chunks} open chunks published again after a restart", campaignId, count);
        }
    }

    /// <summary>
    /// Messages claimed long ago and never recorded, whose chunk is gone (its sender died after the
    /// chunk was acknowledged elsewhere): a new chunk over them lets a sender take them over, flagged.
    /// </summary>
    private async Task RecoverStrandedAsync(int campaignId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var cutoff = clock.GetUtcNow().UtcDateTime - 3 * options.Value.InFlightGrace;
        await db.Database.OpenConnectionAsync(ct);
        await using var cut = DispatchSql.Command(db.Database.GetDbConnection(),
            DispatchSql.CutChunks($"\"Status\" = {DispatchSql.Submitting} AND COALESCE(\"LeaseRenewedAt\", \"SubmittedAt\") <= @cutoff"));
        cut.Add("@campaign", campaignId);
        cut.Add("@size", options.Value.ChunkSize);
        cut.AddTime("@cutoff", cutoff);
        var chunks = await cut.ExecuteNonQueryAsync(ct);
        if (chunks > 0) logger.LogWarning("Campaign {CampaignId}: {Chunks} chunks cut over messages stranded in flight", campaignId, chunks);
    }

    /// <summary>Cuts the due deferred messages into chunks and moves them back to Queued, in one transaction.</summary>
    private async Task<int> ReleaseDeferredAsync(int campaignId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var due = $"\"Status\" = {DispatchSql.Deferred} AND \"NotBefore\" <= @now";
        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var cut = DispatchSql.Command(connection, DispatchSql.CutChunks(due), transaction))
        {
            cut.Add("@campaign", campaignId);
            cut.Add("@size", options.Value.ChunkSize);
            cut.AddTime("@now", now);
            await cut.ExecuteNonQueryAsync(ct);
        }
        int released;
        await using (var requeue = DispatchSql.Command(connection,
            $"UPDATE \"Messages\" SET \"Status\" = {DispatchSql.Queued}, \"NotBefore\" = NULL WHERE \"CampaignId\" = @campaign AND {due}", transaction))
        {
            requeue.Add("@campaign", campaignId);
            requeue.AddTime("@now", now);
            released = await requeue.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return released;
    }
}
