using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>Thrown when no provider could take messages right now; the chunk is redelivered later.</summary>
public sealed class SendingUnavailableException(string message) : Exception(message);

/// <summary>
/// Sends one chunk, <see cref="SendingOptions.BatchSize"/> messages at a time: loads them with
/// their clients (one query) and attributes (one query); cancels those whose client opted out
/// meanwhile; expires, defers (quiet hours in the client's zone) or claims each (UPDATE ... WHERE
/// Status = Queued: a redelivered chunk never re-submits a message already claimed); submits;
/// records ids, parts, cost and status in one UPDATE ... FROM VALUES before moving on, so the
/// chunk is acknowledged only after its results are stored. Messages found Submitting belong to a
/// sender that died: once older than <see cref="SendingOptions.InFlightGrace"/> they are
/// re-submitted, flagged Resubmitted.
/// </summary>
public sealed class ChunkSender(
    IDbContextFactory<PortalDbContext> contexts,
    DispatchCampaigns campaigns,
    IMessageRouter router,
    PriorityLane lane,
    TimeProvider clock,
    IOptions<SendingOptions> options,
    ILogger<ChunkSender> logger)
{
    public long Submitted;
    public long Resubmitted;

    /// <param name="LeaseAt">The submit lease's last heartbeat (LeaseRenewedAt, or SubmittedAt for a claim made without a lease).</param>
    private sealed record Row(long Id, MessageStatus Status, string Phone, DateTime CreatedAt, DateTime? LeaseAt, Client Client);

    internal sealed record Outcome(long Id, MessageStatus Status, string? ProviderMessageId, int Parts, decimal Cost, string? ErrorCode, int? ProviderId)
    {
        /// <summary>Each accepted part's provider id, for long messages (stored in MessageParts).</summary>
        public IReadOnlyList<string>? PartIds { get; init; }
    }

    /// <summary>Outcome status for "put it back": the campaign was paused mid-batch or no provider could take it.</summary>
    private const MessageStatus BackToQueue = MessageStatus.Queued;

    public async Task ProcessAsync(DispatchChunk chunk, CancellationToken ct)
    {
        var o = options.Value;
        using var inFlight = Telemetry.PortalMetrics.ChunkInFlight();
        var status = await campaigns.StatusAsync(chunk.CampaignId, ct);
        if (status is null) return;
        if (status is CampaignStatus.Cancelled or CampaignStatus.Completed or CampaignStatus.Failed)
        {
            await MarkChunkDoneAsync(chunk, ct);
            return;
        }
        // Paused (or not launched): leave the chunk open; Resume publishes it again.
        if (status != CampaignStatus.Sending) return;
        var campaign = await campaigns.GetAsync(chunk.CampaignId, ct);
        if (campaign is null) return;

        var waited = TimeSpan.Zero;
        var pause = TimeSpan.FromSeconds(1);
        while (true)
        {
            var cursor = chunk.FirstMessageId - 1;
            var unavailable = false;
            while (true)
            {
                if (await campaigns.StatusAsync(chunk.CampaignId, ct) != CampaignStatus.Sending) return;
                var rows = await LoadAsync(chunk, cursor, o.BatchSize, ct);
                if (rows.Count == 0) break;
                cursor = rows[^1].Id;
                unavailable |= await SendBatchAsync(campaign, rows, ct);
            }
            if (!unavailable) break;
            // No provider took some messages (they are Queued again): wait here for a while rather than
            // spend the chunk's few bus attempts at once (see SendingOptions.UnavailableRetryFor).
            if (waited >= o.UnavailableRetryFor) throw new SendingUnavailableException("No provider took some messages; they are queued again and the chunk is retried.");
            logger.LogInformation("Campaign {CampaignId}: no provider took some messages, going over chunk {ChunkId} again in {Pause}", chunk.CampaignId, chunk.ChunkId, pause);
            await Task.Delay(pause, ct);
            waited += pause;
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
        }
        await MarkChunkDoneAsync(chunk, ct);
        await TryCompleteAsync(contexts, chunk.CampaignId, clock, options.Value.InFlightGrace, ct);
    }

    private async Task<List<Row>> LoadAsync(DispatchChunk chunk, long after, int take, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Messages.AsNoTracking()
            .Where(m => m.CampaignId == chunk.CampaignId && m.Id > after && m.Id <= chunk.LastMessageId
                && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Submitting))
            .OrderBy(m => m.Id)
            .Take(take)
            .Join(db.Clients.AsNoTracking(), m => m.ClientId, c => c.Id, (m, c) => new Row(m.Id, m.Status, m.Phone, m.CreatedAt, m.LeaseRenewedAt ?? m.SubmittedAt, c))
            .ToListAsync(ct);
    }

    /// <returns>True when some messages could not be handed to any provider and went back to the queue.</returns>
    private async Task<bool> SendBatchAsync(DispatchCampaign dispatch, List<Row> rows, CancellationToken ct)
    {
        var campaign = dispatch.Campaign;
        using var span = Telemetry.PortalTelemetry.Source.StartActivity("sender batch")?.SetTag("portal.batch.size", rows.Count);
        var now = clock.GetUtcNow().UtcDateTime;
        var validity = TimeSpan.FromHours(campaign.Settings.ValidityHours);
        var expired = new List<long>();
        var refused = new List<(long Id, string Code)>();
        var deferred = new List<(long Id, DateTime NotBefore)>();
        var ready = new List<Row>();
        var orphans = new List<Row>();
        foreach (var row in rows)
        {
            if (row.Status == MessageStatus.Submitting)
            {
                orphans.Add(row);
                continue;
            }
            // The client row is read right here, so an opt-out (STOP reply, API, UI) stops the rest of a
            // campaign within one batch (issue 7: within 60 s), whatever the audience was at launch.
            if (!row.Client.MayReceive(ConsentPurposeOf(campaign.Purpose)))
            {
                refused.Add((row.Id, row.Client.OptedOutAt is not null ? "opted-out" : row.Client.Status != ClientStatus.Active ? "inactive" : "no-consent"));
                continue;
            }
            var expiresAt = DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc) + validity;
            if (now >= expiresAt)
            {
                expired.Add(row.Id);
            }
            else if (QuietHours.NextAllowedUtc(campaign, row.Client.TimeZone, now) is { } next)
            {
                // Deferred is never dropped: it waits for the client's morning unless that is past its validity.
                if (next >= expiresAt) expired.Add(row.Id);
                else deferred.Add((row.Id, next));
            }
            else
            {
                ready.Add(row);
            }
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        if (expired.Count > 0)
        {
            await using var command = DispatchSql.Command(connection, $"""
                UPDATE "Messages" SET "Status" = {(int)MessageStatus.Expired}, "ErrorCode" = 'validity', "DoneAt" = @now
                WHERE "Id" IN ({DispatchSql.IdList(expired)}) AND "Status" = {DispatchSql.Queued}
                """);
            command.AddTime("@now", now);
            await command.ExecuteNonQueryAsync(ct);
        }
        foreach (var group in refused.GroupBy(r => r.Code))
        {
            await using var command = DispatchSql.Command(connection, $"""
                UPDATE "Messages" SET "Status" = {(int)MessageStatus.Cancelled}, "ErrorCode" = @code, "DoneAt" = @now
                WHERE "Id" IN ({DispatchSql.IdList(group.Select(r => r.Id))}) AND "Status" = {DispatchSql.Queued}
                """);
            command.Add("@code", group.Key);
            command.AddTime("@now", now);
            await command.ExecuteNonQueryAsync(ct);
        }
        if (deferred.Count > 0)
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "id, nb", deferred, (c, d, name) =>
                {
                    c.Add(name(0), d.Id);
                    c.AddTime(name(1), d.NotBefore);
                }) + $"""
                UPDATE "Messages" SET "Status" = {DispatchSql.Deferred}, "NotBefore" = v.nb
                FROM v WHERE "Messages"."Id" = v.id AND "Messages"."Status" = {DispatchSql.Queued}
                """;
            await command.ExecuteNonQueryAsync(ct);
        }

        var toSend = new List<(Row Row, bool Resubmit)>(ready.Count + orphans.Count);
        var claimedAt = new List<DateTime>(2);
        // Orphans first: taking them over may wait up to the grace, and a claim made before that wait
        // would sit unrenewed (the lease starts below), so a peer holding the same chunk (redelivered,
        // or re-cut by the sweeper) took this sender's fresh claims for stranded after the grace and
        // both sent them (the quarantined throttled-campaign test: ~190 of 1,000 flagged Resubmitted).
        if (orphans.Count > 0)
        {
            var (taken, at) = await ReclaimOrphansAsync(connection, orphans, ct);
            toSend.AddRange(taken.Select(r => (r, true)));
            claimedAt.Add(at);
        }
        if (ready.Count > 0)
        {
            var at = SubmitLease.Now(clock);
            var claimed = await ClaimAsync(connection, $"""
                UPDATE "Messages" SET "Status" = {DispatchSql.Submitting}, "SubmittedAt" = @now, "LeaseRenewedAt" = @now
                WHERE "Id" IN ({DispatchSql.IdList(ready.Select(r => r.Id))}) AND "Status" = {DispatchSql.Queued}
                RETURNING "Id"
                """, at, ct);
            toSend.AddRange(ready.Where(r => claimed.Contains(r.Id)).Select(r => (r, false)));
            claimedAt.Add(at);
        }
        if (toSend.Count == 0) return false;

        // The claim is a lease: while this batch paces its submits (speed limit, provider caps) its
        // unrecorded messages' LeaseRenewedAt is renewed (SubmittedAt stays the claim time), so neither the sweeper nor a redelivered chunk
        // takes a live sender's tail for stranded, however long the batch takes (issue 13).
        await using var lease = SubmitLease.Start(contexts, toSend.Select(s => s.Row.Id).ToList(), claimedAt, options.Value.InFlightGrace, clock, logger);
        Dictionary<long, Dictionary<string, string>> attributes;
        try
        {
            attributes = await AttributesAsync(db, toSend.Select(s => s.Row.Client.Id).Distinct().ToList(), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping between the claim and the first submit: nothing of this batch was sent, so it goes
            // back to the queue now instead of waiting for a peer to take it for stranded and flag it.
            await RecordAsync(connection, toSend.Select(s => new Outcome(s.Row.Id, BackToQueue, null, 0, 0, null, null)).ToArray(), CancellationToken.None);
            throw;
        }
        var merge = new CampaignMergeFields(campaign.Name, campaign.Settings.SenderId, now);
        var watch = new OptOutWatch(contexts, toSend.Select(s => s.Row.Client.Id).Distinct().ToList(), options.Value.StatusCacheTime);
        var all = await Task.WhenAll(toSend.Select(s => SendOneAsync(dispatch, s.Row, attributes, merge, now + validity, watch, lease, ct)));
        // Not submitted because the lease lapsed: the message may belong to another sender now, so it is
        // neither recorded nor put back (that would undo the new owner's claim); whoever holds it finishes it.
        var outcomes = all.Where(x => x.ErrorCode != SubmitLease.Lapsed).ToArray();
        // The lease is held until the outcomes are recorded: a record slowed by conflicts (SQLite
        // under load) past the grace left submitted-but-unrecorded messages looking stranded, and
        // a peer re-submitted them (a message's parts counted twice). Renewals only touch rows
        // still Submitting, so they never undo the record.
        await RecordAsync(connection, outcomes, ct);
        await lease.StopAsync();
        var submitted = outcomes.Count(x => x.Status == MessageStatus.Submitted);
        Interlocked.Add(ref Submitted, submitted);
        Interlocked.Add(ref Resubmitted, toSend.Count(s => s.Resubmit));
        return outcomes.Any(x => x.Status == BackToQueue && x.ErrorCode == "unavailable");
    }

    private static ConsentPurpose ConsentPurposeOf(MessagePurpose purpose) => purpose switch
    {
        MessagePurpose.Advertising => ConsentPurpose.Advertising,
        MessagePurpose.Service => ConsentPurpose.Service,
        _ => ConsentPurpose.Advertising,
    };

    private static async Task<HashSet<long>> ClaimAsync(DbConnection connection, string sql, DateTime now, CancellationToken ct)
    {
        await using var command = DispatchSql.Command(connection, sql);
        command.AddTime("@now", now);
        var ids = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>
    /// Messages another sender claimed and never recorded. A live sender records within the SMPP
    /// response timeout, so past the grace period the claimant is dead: take them over, flagged.
    /// </summary>
    private static readonly TimeSpan ReclaimMargin = TimeSpan.FromMilliseconds(5);

    private async Task<(List<Row> Rows, DateTime At)> ReclaimOrphansAsync(DbConnection connection, List<Row> orphans, CancellationToken ct)
    {
        var grace = options.Value.InFlightGrace;
        var youngest = orphans.Max(r => r.LeaseAt ?? DateTime.MinValue);
        // Past the grace by a margin: Task.Delay drops a wait's sub-millisecond part, and a wake-up
        // that early found the youngest orphan just inside the grace and took over nothing.
        var wait = DateTime.SpecifyKind(youngest, DateTimeKind.Utc) + grace - clock.GetUtcNow().UtcDateTime + ReclaimMargin;
        if (wait > TimeSpan.Zero) await Task.Delay(wait < grace + ReclaimMargin ? wait : grace + ReclaimMargin, ct);
        var now = SubmitLease.Now(clock);
        var cutoff = now - grace;
        await using var command = DispatchSql.Command(connection, $"""
            UPDATE "Messages" SET "Resubmitted" = TRUE, "SubmittedAt" = @now, "LeaseRenewedAt" = @now
            WHERE "Id" IN ({DispatchSql.IdList(orphans.Select(r => r.Id))}) AND "Status" = {DispatchSql.Submitting}
              AND (COALESCE("LeaseRenewedAt", "SubmittedAt") IS NULL OR COALESCE("LeaseRenewedAt", "SubmittedAt") <= @cutoff)
            RETURNING "Id"
            """);
        command.AddTime("@now", now);
        command.AddTime("@cutoff", cutoff);
        var ids = await DispatchSql.RetryOnConflictAsync(async () =>
        {
            var found = new HashSet<long>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found.Add(reader.GetInt64(0));
            return found;
        }, ct);
        if (ids.Count > 0) logger.LogWarning("Re-submitting {Count} messages left in flight by a stopped sender", ids.Count);
        return (orphans.Where(r => ids.Contains(r.Id)).ToList(), now);
    }

    private static async Task<Dictionary<long, Dictionary<string, string>>> AttributesAsync(PortalDbContext db, List<long> clientIds, CancellationToken ct)
    {
        var rows = await db.ClientAttributes.AsNoTracking()
            .Where(a => clientIds.Contains(a.ClientId))
            .Join(db.AttributeDefinitions.AsNoTracking(), a => a.DefinitionId, d => d.Id,
                (a, d) => new { a.ClientId, d.Key, a.Text, a.Number, a.Date, a.Boolean })
            .ToListAsync(ct);
        var result = new Dictionary<long, Dictionary<string, string>>();
        foreach (var a in rows)
        {
            if (!result.TryGetValue(a.ClientId, out var map)) result[a.ClientId] = map = new(StringComparer.Ordinal);
            map[a.Key] = a.Text
                ?? a.Number?.ToString(CultureInfo.InvariantCulture)
                ?? a.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                ?? (a.Boolean is { } b ? (b ? "true" : "false") : "");
        }
        return result;
    }

    /// <summary>
    /// A failure before the submit (status or provider lookup: the database busy) puts just this
    /// message back in the queue; it must not throw away the recorded outcomes of its batch-mates,
    /// whose receipts may already be arriving.
    /// </summary>
    private async Task<Outcome> SendOneAsync(DispatchCampaign dispatch, Row row, Dictionary<long, Dictionary<string, string>> attributes,
        CampaignMergeFields merge, DateTime expiresAt, OptOutWatch watch, SubmitLease lease, CancellationToken ct)
    {
        try
        {
            return await SendOneCoreAsync(dispatch, row, attributes, merge, expiresAt, watch, lease, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Message {MessageId} goes back to the queue: {Error}", row.Id, e.Message);
            return new Outcome(row.Id, BackToQueue, null, 0, 0, "unavailable", null);
        }
    }

    private async Task<Outcome> SendOneCoreAsync(DispatchCampaign dispatch, Row row, Dictionary<long, Dictionary<string, string>> attributes,
        CampaignMergeFields merge, DateTime expiresAt, OptOutWatch watch, SubmitLease lease, CancellationToken ct)
    {
        var campaign = dispatch.Campaign;
        // The campaign's speed is for the whole cluster: this node paces to its share, like provider caps.
        await dispatch.Pacer.WaitAsync(campaign.Settings.SpeedLimit, router.LiveNodes, ct);
        // The renewals were late for long enough that a peer may have taken this message over: submit
        // it only if no peer did (its lease value is still ours, and now renewed), else leave it to the peer.
        if (!lease.IsHeld && !await lease.TryReacquireAsync(row.Id, ct)) return new Outcome(row.Id, BackToQueue, null, 0, 0, SubmitLease.Lapsed, null);
        // Checked right before each submit, so a pause stops submissions within the status cache time.
        var status = await campaigns.StatusAsync(campaign.Id, ct);
        if (status != CampaignStatus.Sending)
        {
            return status == CampaignStatus.Cancelled
                ? new Outcome(row.Id, MessageStatus.Cancelled, null, 0, 0, "cancelled", null)
                : new Outcome(row.Id, BackToQueue, null, 0, 0, null, null);
        }
        if (await watch.HasOptedOutAsync(row.Client.Id, ct))
        {
            return new Outcome(row.Id, MessageStatus.Cancelled, null, 0, 0, "opted-out", null);
        }
        if (dispatch.Template is null)
        {
            return new Outcome(row.Id, MessageStatus.Rejected, null, 0, 0, "template", null);
        }
        RenderedSms sms;
        try
        {
            sms = dispatch.Template.Render(row.Client, attributes.GetValueOrDefault(row.Client.Id), merge);
        }
        catch (TemplateRenderException)
        {
            return new Outcome(row.Id, MessageStatus.Rejected, null, 0, 0, "render", null);
        }
        if (string.IsNullOrWhiteSpace(sms.Text))
        {
            return new Outcome(row.Id, MessageStatus.Rejected, null, 0, 0, "empty", null);
        }
        var route = await router.RouteAsync(campaign, row.Phone, ct);
        if (route is null)
        {
            return new Outcome(row.Id, BackToQueue, null, 0, 0, "unavailable", null);
        }
        // Campaign submits yield the reserved share of the provider to the priority lane (ADR 0010).
        SendResult result;
        using (await lane.EnterAsync(route.ProviderId, priority: false, ct))
        {
            var validity = expiresAt - clock.GetUtcNow().UtcDateTime;
            using var span = Telemetry.PortalTelemetry.StartSubmit(route.Name, row.Id);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            result = await route.Sender.SendAsync(new OutgoingSms(row.Id, campaign.Settings.SenderId ?? "Portal", row.Phone, sms.Text, validity) { PartPrice = route.PartPrice }, ct);
            Telemetry.PortalMetrics.RecordSubmit(route.Name, result.Status, result.NotSent, result.Parts, started);
        }
        if (result.NotSent)
        {
            return new Outcome(row.Id, BackToQueue, null, 0, 0, "unavailable", null);
        }
        // Parts and cost count every part the provider accepted, also of a long message refused at a
        // later part (issue 12): those parts were charged.
        var parts = result.Status == MessageStatus.Submitted ? Math.Max(sms.Parts, result.Parts) : result.Parts;
        return new Outcome(row.Id, result.Status, result.ProviderMessageId, parts, parts * route.PartPrice, result.ErrorCode, route.ProviderId)
        {
            PartIds = result.PartIds,
        };
    }

    /// <summary>
    /// One UPDATE for the batch. A receipt may already have made a message final (it can overtake
    /// this write): then only the id, parts and cost are filled in and its status is kept, unless
    /// the outcome is Rejected: a long message refused at a later part failed as a whole, whatever
    /// an earlier part's receipt said (issue 12: no half-sent message is Delivered). Parts' provider
    /// ids go to MessageParts first, so a receipt of any part can be matched from then on.
    /// </summary>
    internal static async Task RecordAsync(DbConnection connection, Outcome[] outcomes, CancellationToken ct)
    {
        var back = outcomes.Where(x => x.Status == BackToQueue).Select(x => x.Id).ToList();
        var done = outcomes.Where(x => x.Status != BackToQueue).ToList();
        var now = DateTime.UtcNow;
        // More conflict retries than elsewhere (issue 12): a failed record loses the batch's parts and
        // cost for good once receipts have made its messages final (a redelivered chunk skips them).
        await RecordPartsAsync(connection, done, ct);
        if (done.Count > 0)
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "id, s, pid, parts, cost, err, prov", done, (c, x, name) =>
                {
                    c.Add(name(0), x.Id);
                    c.AddInt(name(1), (int)x.Status);
                    c.Add(name(2), x.ProviderMessageId);
                    c.AddInt(name(3), x.Parts);
                    c.Add(name(4), x.Cost);
                    c.Add(name(5), x.ErrorCode);
                    c.AddInt(name(6), x.ProviderId);
                }) + $"""
                UPDATE "Messages" SET
                    "Status" = CASE WHEN "Messages"."Status" = {DispatchSql.Submitting} OR v.s = {(int)MessageStatus.Rejected} THEN v.s ELSE "Messages"."Status" END,
                    "ProviderMessageId" = v.pid, "Parts" = v.parts, "Cost" = v.cost, "ProviderId" = CAST(v.prov AS INTEGER),
                    "ErrorCode" = CASE WHEN v.s = {(int)MessageStatus.Rejected} THEN v.err ELSE COALESCE("Messages"."ErrorCode", v.err) END,
                    "DoneAt" = CASE WHEN ("Messages"."Status" = {DispatchSql.Submitting} AND v.s NOT IN ({(int)MessageStatus.Submitted}, {DispatchSql.Submitting})) OR v.s = {(int)MessageStatus.Rejected} THEN @now ELSE "Messages"."DoneAt" END
                FROM v WHERE "Messages"."Id" = v.id
                """;
            command.AddTime("@now", now);
            await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct, attempts: 20);
        }
        if (back.Count > 0)
        {
            await using var command = DispatchSql.Command(connection, $"""
                UPDATE "Messages" SET "Status" = {DispatchSql.Queued}, "SubmittedAt" = NULL, "LeaseRenewedAt" = NULL
                WHERE "Id" IN ({DispatchSql.IdList(back)}) AND "Status" = {DispatchSql.Submitting}
                """);
            await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct);
        }
    }

    /// <summary>
    /// Every accepted part's provider id of the batch's long messages, one multi-row upsert per
    /// 500 parts (a resubmission or failover replaces the earlier ids).
    /// </summary>
    private static async Task RecordPartsAsync(DbConnection connection, List<Outcome> done, CancellationToken ct)
    {
        var parts = done.Where(x => x.PartIds is { Count: > 0 } && x.ProviderId is not null)
            .SelectMany(x => x.PartIds!.Select((pid, i) => (x.Id, Index: i, Provider: x.ProviderId!.Value, Pid: pid)))
            .Where(p => p.Pid.Length is > 0 and <= 64)
            .ToList();
        foreach (var chunk in parts.Chunk(500))
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "id, idx, prov, pid", chunk, (c, p, name) =>
                {
                    c.Add(name(0), p.Id);
                    c.AddInt(name(1), p.Index);
                    c.AddInt(name(2), p.Provider);
                    c.Add(name(3), p.Pid);
                }) + """
                INSERT INTO "MessageParts" ("MessageId", "PartIndex", "ProviderId", "ProviderMessageId")
                SELECT v.id, CAST(v.idx AS INTEGER), CAST(v.prov AS INTEGER), v.pid FROM v WHERE TRUE
                ON CONFLICT ("MessageId", "PartIndex") DO UPDATE SET "ProviderId" = excluded."ProviderId", "ProviderMessageId" = excluded."ProviderMessageId"
                """;
            await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct, attempts: 20);
        }
    }

    private async Task MarkChunkDoneAsync(DispatchChunk chunk, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.MessageChunks.Where(c => c.Id == chunk.ChunkId && c.Status != MessageChunkStatus.Done)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, MessageChunkStatus.Done).SetProperty(c => c.DoneAt, now), ct);
    }

    /// <summary>Sending -> Completed once nothing is queued, deferred or in flight and every chunk is done; one guarded statement, safe from any node.</summary>
    /// <param name="inFlightGrace"><see cref="SendingOptions.InFlightGrace"/>: a sender silent for three times that is taken for dead.</param>
    internal static async Task<bool> TryCompleteAsync(IDbContextFactory<PortalDbContext> contexts, int campaignId, TimeProvider clock, TimeSpan inFlightGrace,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var senderDead = now - 3 * inFlightGrace;
        var changed = await db.Campaigns
            .Where(c => c.Id == campaignId && c.Status == CampaignStatus.Sending
                && !db.Messages.Any(m => m.CampaignId == campaignId
                    && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred || m.Status == MessageStatus.Submitting))
                // Part 1's receipt can make a long message final while its part 2 still waits behind
                // the SMSC's rate (issue 12): done only once every chunk's results are recorded.
                && !db.MessageChunks.Any(k => k.CampaignId == campaignId && k.Status != MessageChunkStatus.Done)
                // A receipt made it final but its sender has not recorded it yet (no provider message id:
                // every recorded accepted submission has one; the receipt may have filled in parts and
                // cost). Issue 12: a chunk published twice (launcher and sweeper) was marked done by one
                // copy while the other still sent its last batch, and the campaign completed with that
                // batch Delivered, its second parts not yet sent. A sender whose lease went silent for
                // three times the grace is dead (the sweeper's rule): its messages keep the receipt's
                // figures and no longer hold the campaign open.
                && !db.Messages.Any(m => m.CampaignId == campaignId && m.ProviderMessageId == null && m.SubmittedAt != null
                    && m.LeaseRenewedAt > senderDead
                    && (m.Status == MessageStatus.Delivered || m.Status == MessageStatus.Undeliverable || m.Status == MessageStatus.Unknown)))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Completed)
                .SetProperty(c => c.FinishedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
        return changed > 0;
    }
}
