using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// The priority lane's consumer (ADR 0010): sends a <see cref="PriorityBatch"/> of messages that
/// have no campaign (API-sent service messages, employee alarms) through the same router,
/// providers and receipts as campaigns, taking the provider capacity <see cref="PriorityLane"/>
/// reserves for it. Same safety as <see cref="ChunkSender"/>: a message is submitted only after
/// the atomic Queued → Submitting claim, results are recorded in one UPDATE before the bus message
/// is acknowledged, and one stranded in Submitting past the grace period is re-sent once, flagged.
/// The text was rendered when the message was accepted, so nothing is rendered here.
/// </summary>
public sealed class PrioritySender(
    IDbContextFactory<PortalDbContext> contexts,
    IMessageRouter router,
    PriorityLane lane,
    IStatusCallbackQueue callbacks,
    TimeProvider clock,
    IOptions<SendingOptions> options,
    ILogger<PrioritySender> logger)
{
    public long Submitted;

    private sealed record Row(long Id, MessageStatus Status, string Phone, DateTime? SubmittedAt, string Text, string SenderId, int? ProviderId,
        MessagePurpose Purpose, DateTime ExpiresAt, ClientStatus ClientStatus, DateTime? OptedOutAt, bool AdvertisingConsent, bool Flash, PrioritySource Source);

    public async Task ProcessAsync(PriorityBatch batch, CancellationToken ct)
    {
        if (batch.MessageIds.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = batch.MessageIds.Distinct().ToList();
        var rows = await db.Messages.AsNoTracking()
            .Where(m => ids.Contains(m.Id) && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Submitting))
            .Join(db.PriorityMessages.AsNoTracking(), m => m.Id, p => p.MessageId, (m, p) => new { m, p })
            .Join(db.Clients.AsNoTracking(), x => x.m.ClientId, c => c.Id, (x, c) => new Row(x.m.Id, x.m.Status, x.m.Phone, x.m.SubmittedAt, x.p.Text, x.p.SenderId,
                x.p.ProviderId, x.p.Purpose, x.p.ExpiresAt, c.Status, c.OptedOutAt, c.AdvertisingConsent.Granted, x.p.Flash, x.p.Source))
            .ToListAsync(ct);
        if (rows.Count == 0) return;

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        var final = new List<ChunkSender.Outcome>();
        var ready = new List<Row>();
        var orphans = new List<Row>();
        foreach (var row in rows)
        {
            if (row.Status == MessageStatus.Submitting)
            {
                orphans.Add(row);
            }
            // Staff alerts (issue 17) hang off a placeholder client that is kept inactive so no campaign
            // ever dials it; the recipient is an employee, whose client status means nothing here.
            else if (row.Source != PrioritySource.Alarm && (row.ClientStatus != ClientStatus.Active || row.OptedOutAt is not null
                || (row.Purpose == MessagePurpose.Advertising && !row.AdvertisingConsent)))
            {
                // Checked at acceptance too; this catches an opt-out that came in between.
                final.Add(new ChunkSender.Outcome(row.Id, MessageStatus.Cancelled, null, 0, 0,
                    row.OptedOutAt is not null ? "opted-out" : row.ClientStatus != ClientStatus.Active ? "inactive" : "no-consent", null));
            }
            else if (now >= DateTime.SpecifyKind(row.ExpiresAt, DateTimeKind.Utc))
            {
                final.Add(new ChunkSender.Outcome(row.Id, MessageStatus.Expired, null, 0, 0, "validity", null));
            }
            else
            {
                ready.Add(row);
            }
        }
        // Final outcomes straight from Queued: claim them first so a concurrent copy of this batch cannot send them.
        var toSend = new List<Row>();
        var claimIds = ready.Select(r => r.Id).Concat(final.Select(f => f.Id)).ToList();
        if (claimIds.Count > 0)
        {
            await using var claim = DispatchSql.Command(connection, $"""
                UPDATE "Messages" SET "Status" = {DispatchSql.Submitting}, "SubmittedAt" = @now
                WHERE "Id" IN ({DispatchSql.IdList(claimIds)}) AND "Status" = {DispatchSql.Queued}
                RETURNING "Id"
                """);
            claim.AddTime("@now", now);
            var claimed = await DispatchSql.RetryOnConflictAsync(async () =>
            {
                var found = new HashSet<long>();
                await using var reader = await claim.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) found.Add(reader.GetInt64(0));
                return found;
            }, ct);
            toSend.AddRange(ready.Where(r => claimed.Contains(r.Id)));
            final = final.Where(f => claimed.Contains(f.Id)).ToList();
        }
        toSend.AddRange(await ReclaimOrphansAsync(connection, orphans, now, ct));

        var sent = await Task.WhenAll(toSend.Select(r => SendOneAsync(r, ct)));
        var outcomes = final.Concat(sent).ToArray();
        await ChunkSender.RecordAsync(connection, outcomes, ct);
        await callbacks.EnqueueAsync(connection, outcomes.Select(o => o.Id).ToList(), ct);
        Interlocked.Add(ref Submitted, sent.Count(o => o.Status == MessageStatus.Submitted));
        if (sent.Any(o => o.Status == MessageStatus.Queued && o.ErrorCode == "unavailable"))
        {
            throw new SendingUnavailableException("No provider took some priority messages; they are queued again and the batch is retried.");
        }
    }

    private async Task<List<Row>> ReclaimOrphansAsync(System.Data.Common.DbConnection connection, List<Row> orphans, DateTime now, CancellationToken ct)
    {
        if (orphans.Count == 0) return [];
        // A live sender records within the SMPP response timeout: only ones older than the grace are taken over.
        await using var command = DispatchSql.Command(connection, $"""
            UPDATE "Messages" SET "Resubmitted" = TRUE, "SubmittedAt" = @now
            WHERE "Id" IN ({DispatchSql.IdList(orphans.Select(r => r.Id))}) AND "Status" = {DispatchSql.Submitting}
              AND ("SubmittedAt" IS NULL OR "SubmittedAt" <= @cutoff)
            RETURNING "Id"
            """);
        command.AddTime("@now", now);
        command.AddTime("@cutoff", now - options.Value.InFlightGrace);
        var ids = new HashSet<long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        }
        if (ids.Count > 0) logger.LogWarning("Re-submitting {Count} priority messages left in flight by a stopped sender", ids.Count);
        return orphans.Where(r => ids.Contains(r.Id)).ToList();
    }

    private async Task<ChunkSender.Outcome> SendOneAsync(Row row, CancellationToken ct)
    {
        try
        {
            var route = await router.RouteToAsync(row.ProviderId, row.Phone, ct);
            if (route is null) return new ChunkSender.Outcome(row.Id, MessageStatus.Queued, null, 0, 0, "unavailable", null);
            SendResult result;
            using (await lane.EnterAsync(route.ProviderId, priority: true, ct))
            {
                var validity = DateTime.SpecifyKind(row.ExpiresAt, DateTimeKind.Utc) - clock.GetUtcNow().UtcDateTime;
                using var span = Telemetry.PortalTelemetry.StartSubmit(route.Name, row.Id);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                result = await route.Sender.SendAsync(new OutgoingSms(row.Id, row.SenderId, row.Phone, row.Text, validity) { Flash = row.Flash, PartPrice = route.PartPrice }, ct);
                // Priority messages (API, alerts) count like campaign ones: their receipts are counted too.
                Telemetry.PortalMetrics.RecordSubmit(route.Name, result.Status, result.NotSent, result.Parts, started);
            }
            if (result.NotSent) return new ChunkSender.Outcome(row.Id, MessageStatus.Queued, null, 0, 0, "unavailable", null);
            var parts = result.Status == MessageStatus.Submitted ? Math.Max(SmsLength.Measure(row.Text).Parts, result.Parts) : result.Parts;
            return new ChunkSender.Outcome(row.Id, result.Status, result.ProviderMessageId, parts, parts * route.PartPrice, result.ErrorCode, route.ProviderId)
            {
                PartIds = result.PartIds,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Priority message {MessageId} goes back to the queue: {Error}", row.Id, e.Message);
            return new ChunkSender.Outcome(row.Id, MessageStatus.Queued, null, 0, 0, "unavailable", null);
        }
    }

    /// <summary>
    /// Publishes again priority messages still Queued well after acceptance (a bus message lost with
    /// an in-process queue at restart, or a publish that failed after the rows were committed).
    /// Safe: the claim makes a second copy send nothing twice.
    /// </summary>
    public async Task<int> SweepAsync(Messaging.IMessageBus bus, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.PriorityStalledAfter;
        var strandedBefore = clock.GetUtcNow().UtcDateTime - options.Value.InFlightGrace;
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Through the (CampaignId, Status) index: messages without a campaign still waiting are few.
        var ids = await db.Messages.AsNoTracking()
            .Where(m => m.CampaignId == null && (m.Status == MessageStatus.Queued || (m.Status == MessageStatus.Submitting && m.SubmittedAt <= strandedBefore)))
            .Join(db.PriorityMessages.AsNoTracking(), m => m.Id, p => p.MessageId, (m, p) => new { m.Id, p.CreatedAt })
            .Where(x => x.CreatedAt <= cutoff)
            .OrderBy(x => x.Id).Select(x => x.Id).Take(10_000).ToListAsync(ct);
        foreach (var part in ids.Chunk(1000)) await bus.PublishAsync(options.Value.PriorityQueue, new PriorityBatch(part), ct);
        return ids.Count;
    }
}
