using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Applies a batch of receipts with one UPDATE ... FROM per kind of match (per 1,000 rows). Only
/// messages still in flight (Submitting, Submitted, Uncertain) change status, so duplicates and late
/// copies change nothing; a delivered part's bit reaching a final message takes a second, rare
/// statement. The statements return the messages they made final, which the metrics count (issue 22).
/// <list type="bullet">
/// <item>Receipts the connector matched in memory carry our message id and which part they are for;
/// the provider's <see cref="ReceiptPolicy"/> combines the parts (<see cref="Combine"/>): first
/// final part, last part only, or all parts (a bit per delivered part in Messages.DeliveredParts,
/// Delivered once every part's bit is set, any failed part final at once).</item>
/// <item>The others are matched by (ProviderId, ProviderMessageId): a part of a long message through
/// MessageParts (then combined as above, with its part index), a one-part message through
/// Messages.ProviderMessageId.</item>
/// </list>
/// A receipt carrying our message id applies only to a message recorded with the receipt's
/// provider (or not recorded yet): one provider's callbacks cannot finalise another's messages.
/// Receipts whose provider id is not in the database yet (the submit result is still being
/// recorded) go back on the queue a few times, a little later; after that they are kept as
/// <see cref="ReceiptOrphan"/> rows, which the sweeper applies if the message shows up.
/// </summary>
public sealed class ReceiptProcessor(
    IDbContextFactory<PortalDbContext> contexts,
    IMessageBus bus,
    ReceiptPolicies policies,
    IStatusCallbackQueue callbacks,
    TimeProvider clock,
    IOptions<SendingOptions> options,
    ILogger<ReceiptProcessor> logger)
{
    private const string InFlight = "(3, 8, 11)";
    private const int Delivered = (int)MessageStatus.Delivered;

    /// <summary>No part of the batch decides the message's status (the parameter is never NULL: PostgreSQL types VALUES columns from the first row).</summary>
    private const int Undecided = -1;

    /// <summary>Messages.DeliveredParts is a bigint: parts 0..62 get a bit. Longer messages (never sent: 2,000 characters are 31 parts at most) fall back to LastPart.</summary>
    internal const int MaxMaskParts = 63;

    /// <summary>Columns of Messages.ErrorCode and ReceiptOrphans.ErrorCode; ProviderMessageId is 64 in both tables.</summary>
    internal const int ErrorCodeLength = 32;
    private const int ProviderIdLength = 64;

    public long Applied;
    public long Orphaned;

    /// <summary>What a batch's receipts of one message (matched in memory) do to it: one VALUES row.</summary>
    /// <remarks><see cref="Parts"/> and <see cref="PartPrice"/> (the route's, known only to a receipt matched in
    /// memory) account a message made final before its sender recorded it: a sender that died between
    /// the submit_sm_resp and its record left Parts 0 and Cost 0 for good (issue 12). The sender's own
    /// record, when it comes, writes its values over them.</remarks>
    internal readonly record struct MessageReceipt(long MessageId, int Status, string? ErrorCode, DateTime DoneAt, long DeliveredBits, long AllParts, int ProviderId,
        DateTime? SmscDoneAt = null, int Parts = 0, decimal? PartPrice = null);

    public async Task ApplyAsync(ReceiptBatch batch, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        var unmatched = await ApplyAndCountAsync(connection, batch.Items, ct);
        if (unmatched.Count == 0) return;
        if (batch.Attempt >= options.Value.ReceiptRetries)
        {
            var kept = await KeepOrphansAsync(connection, unmatched, ct);
            Interlocked.Add(ref Orphaned, kept);
            Telemetry.PortalMetrics.RecordOrphans(kept);
            logger.LogWarning("{Count} receipts matched no message in flight after {Attempts} attempts: {Kept} kept as orphans, the rest were for messages already final",
                unmatched.Count, batch.Attempt + 1, kept);
            return;
        }
        await Task.Delay(options.Value.ReceiptRetryDelay, ct);
        await bus.PublishAsync(options.Value.ReceiptQueue, new ReceiptBatch(unmatched, batch.Attempt + 1), ct);
    }

    /// <summary>
    /// Applies a batch outside any transaction, records its transitions and queues the status
    /// callbacks of API messages among them (issue 19: one INSERT ... SELECT each, nothing for
    /// campaign messages); returns the receipts that matched nothing.
    /// </summary>
    private async Task<List<ReceiptItem>> ApplyAndCountAsync(System.Data.Common.DbConnection connection, IReadOnlyList<ReceiptItem> items, CancellationToken ct)
    {
        var policy = await policies.GetAsync(ct);
        await connection.OpenAsync(ct);
        var (applied, unmatched, knownIds, matchedKeys, finals) = await ApplyItemsAsync(connection, null, items, policy, retry: true, ct);
        Telemetry.ReceiptTelemetry.Record(finals, policies.NameOf);
        await callbacks.EnqueueAsync(connection, knownIds, ct);
        if (matchedKeys.Count > 0) await callbacks.EnqueueByProviderIdsAsync(connection, matchedKeys, ct);
        Interlocked.Add(ref Applied, applied);
        Telemetry.PortalMetrics.RecordReceiptsApplied(applied);
        return unmatched;
    }

    /// <summary>
    /// Applies receipts for a forwarder whose bus keeps nothing (the in-process one): what matches no
    /// message is kept as orphan receipts at once, in the database, instead of being retried through
    /// a queue that a stop empties. The sweeper applies an orphan once its message is recorded.
    /// Returns once everything is durable, so the SMSC can be answered.
    /// </summary>
    internal async Task StoreAsync(IReadOnlyList<ReceiptItem> items, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        var unmatched = await ApplyAndCountAsync(connection, items, ct);
        if (unmatched.Count == 0) return;
        var kept = await KeepOrphansAsync(connection, unmatched, ct);
        Interlocked.Add(ref Orphaned, kept);
        Telemetry.PortalMetrics.RecordOrphans(kept);
        if (kept > 0) logger.LogInformation("{Count} receipts matched no message in flight: kept as orphans until their message is recorded", kept);
    }

    /// <summary>
    /// Applies receipts: those of long messages' parts resolved to (message, part) through
    /// MessageParts (issue 12), in arrival order with the rest, so the policy sees which part each
    /// one is after a restart or on another node as well as on the node that sent the message; then
    /// the rest by (ProviderId, ProviderMessageId). Shared by the queue consumer and the orphan
    /// re-apply, so an orphan of a part is combined under its provider's policy like any receipt.
    /// </summary>
    /// <param name="retry">Wrap each statement in a conflict retry (not inside a caller's transaction, which a failed statement aborts).</param>
    /// <returns>Messages changed, the receipts that matched no message, which messages were touched
    /// (for API status callbacks), and the messages these receipts made final (for the metrics, recorded
    /// by the caller once committed).</returns>
    private static async Task<(int Applied, List<ReceiptItem> Unmatched, List<long> KnownIds, List<(int, string)> MatchedKeys, List<Telemetry.ReceiptTelemetry.Final> Finals)> ApplyItemsAsync(
        DbConnection connection, DbTransaction? transaction, IReadOnlyList<ReceiptItem> items, IReadOnlyDictionary<int, ReceiptPolicy> policy, bool retry, CancellationToken ct)
    {
        var finals = new List<Telemetry.ReceiptTelemetry.Final>();
        Task<T> Run<T>(Func<Task<T>> work) => retry ? DispatchSql.RetryOnConflictAsync(work, ct) : work();
        var byProviderId = items.Where(i => i.MessageId is null).Select(Sanitized)
            .DistinctBy(i => (i.ProviderId, i.ProviderMessageId)).ToList();
        var resolved = new Dictionary<(int, string), ReceiptItem>();
        foreach (var part in byProviderId.Chunk(1000))
        {
            foreach (var (key, item) in await Run(() => ResolvePartsAsync(connection, transaction, part, ct))) resolved[key] = item;
        }
        if (resolved.Count > 0) byProviderId = byProviderId.Where(i => !resolved.ContainsKey((i.ProviderId, i.ProviderMessageId))).ToList();
        var known = Combine(items.Select(i => i.MessageId is null && resolved.TryGetValue((i.ProviderId, i.ProviderMessageId), out var r) ? r : i)
            .Where(i => i.MessageId is not null), id => policy.GetValueOrDefault(id));
        var applied = 0;
        foreach (var part in known.Chunk(1000))
        {
            var provider = part.ToDictionary(m => m.MessageId, m => m.ProviderId);
            // 1. Messages in flight: status, error and times when a receipt decides (or completes the
            // AllParts mask), delivered parts' bits always. The WHERE lets only in-flight rows that
            // change through, so every row returned in a final status is one transition (metrics).
            // A receipt matched in memory can overtake the sender's record of its batch (or outlive a
            // sender that died before recording): it names the provider, so the message never stays
            // final without one.
            var changed = await Run(async () =>
            {
                await using var command = DispatchSql.Command(connection, "", transaction);
                command.CommandText = Bind(command, part) + $"""
                    UPDATE "Messages" SET
                        "Status" = CASE WHEN v.s >= 0 THEN v.s
                                        WHEN {Completes} THEN {Delivered}
                                        ELSE "Messages"."Status" END,
                        "ErrorCode" = CASE WHEN v.s >= 0 THEN v.err ELSE "Messages"."ErrorCode" END,
                        "DoneAt" = CASE WHEN v.s >= 0 OR {Completes} THEN v.done ELSE "Messages"."DoneAt" END,
                        "SmscDoneAt" = CASE WHEN v.s >= 0 OR {Completes} THEN v.smsc ELSE "Messages"."SmscDoneAt" END,
                        "DeliveredParts" = "Messages"."DeliveredParts" | v.bits,
                        "ProviderId" = COALESCE("Messages"."ProviderId", CAST(v.prov AS INTEGER)),
                        "Parts" = CASE WHEN {Unrecorded} THEN CAST(v.parts AS INTEGER) ELSE "Messages"."Parts" END,
                        "Cost" = CASE WHEN {Unrecorded} THEN v.cost ELSE "Messages"."Cost" END
                    FROM v WHERE "Messages"."Id" = v.id AND "Messages"."Status" IN {InFlight}
                      AND (v.s >= 0 OR {Completes} OR ("Messages"."DeliveredParts" | v.bits) <> "Messages"."DeliveredParts")
                      AND ("Messages"."ProviderId" = v.prov OR "Messages"."ProviderId" IS NULL)
                    {Telemetry.ReceiptTelemetry.Returning}
                    """;
                return await Telemetry.ReceiptTelemetry.ExecuteAsync(command, id => provider.GetValueOrDefault(id), finals, ct);
            });
            applied += changed.Count;
            // 2. A delivered part's bit is added also to a message already final (every part counts,
            // issue 12; OR is idempotent): a second statement, run only for the rare batch that has such
            // bits (a late part, a duplicate), so the common batch still costs one statement.
            var done = changed.ToHashSet();
            var bitsOnly = part.Where(m => m.DeliveredBits != 0 && !done.Contains(m.MessageId)).ToList();
            if (bitsOnly.Count == 0) continue;
            applied += await Run(async () =>
            {
                await using var command = DispatchSql.Command(connection, "", transaction);
                command.CommandText = Bind(command, bitsOnly) + $"""
                    UPDATE "Messages" SET "DeliveredParts" = "Messages"."DeliveredParts" | v.bits
                    FROM v WHERE "Messages"."Id" = v.id AND "Messages"."Status" NOT IN {InFlight}
                      AND ("Messages"."DeliveredParts" | v.bits) <> "Messages"."DeliveredParts"
                      AND ("Messages"."ProviderId" = v.prov OR "Messages"."ProviderId" IS NULL)
                    """;
                return await command.ExecuteNonQueryAsync(ct);
            });
        }
        var unmatched = new List<ReceiptItem>();
        var matchedKeys = new List<(int, string)>();
        foreach (var part in byProviderId.Chunk(1000))
        {
            var matched = await Run(() => ApplyByProviderIdAsync(connection, transaction, part, finals, ct));
            applied += matched.Count;
            matchedKeys.AddRange(matched);
            unmatched.AddRange(part.Where(i => !matched.Contains((i.ProviderId, i.ProviderMessageId))));
        }
        return (applied, unmatched, known.Select(k => k.MessageId).ToList(), matchedKeys, finals);
    }

    /// <summary>The AllParts mask is complete with this batch's bits.</summary>
    private const string Completes = """(v.mask <> 0 AND (("Messages"."DeliveredParts" | v.bits) & v.mask) = v.mask)""";

    /// <summary>
    /// The message's submit was never recorded (Parts 0) and this receipt, matched in memory with its
    /// route's price, makes it final: its parts and cost come from the receipt.
    /// </summary>
    private const string Unrecorded = """("Messages"."Parts" = 0 AND v.cost IS NOT NULL AND v.parts > 0 AND (v.s >= 0 OR """ + Completes + "))";

    private static string Bind(DbCommand command, IReadOnlyList<MessageReceipt> rows) =>
        DispatchSql.Values(command, "id, s, err, done, bits, mask, prov, smsc, parts, cost", rows, (c, m, name) =>
        {
            c.Add(name(0), m.MessageId);
            c.AddInt(name(1), m.Status);
            c.Add(name(2), m.ErrorCode);
            c.AddTime(name(3), m.DoneAt);
            c.Add(name(4), m.DeliveredBits);
            c.Add(name(5), m.AllParts);
            c.AddInt(name(6), m.ProviderId);
            c.AddTime(name(7), m.SmscDoneAt);
            c.AddInt(name(8), m.Parts);
            c.AddDecimal(name(9), m.PartPrice * m.Parts);
        });

    /// <summary>
    /// Folds receipts matched in memory into one row per message, in arrival order, under each
    /// provider's policy:
    /// FirstPart: the first receipt decides. LastPart: only the last part's (PartIndex ==
    /// PartCount - 1) decides; others change nothing. AllParts: a Delivered part adds its bit and
    /// the UPDATE makes the message Delivered when all PartCount bits are set; the first failed
    /// part decides at once. A deciding Delivered receipt also sets its bit, so DeliveredParts
    /// always means "parts known delivered".
    /// </summary>
    internal static List<MessageReceipt> Combine(IEnumerable<ReceiptItem> items, Func<int, ReceiptPolicy> policyOf)
    {
        var rows = new Dictionary<long, MessageReceipt>();
        var order = new List<long>();
        foreach (var raw in items)
        {
            var item = Sanitized(raw);
            var id = item.MessageId!.Value;
            var count = Math.Max(1, item.PartCount);
            var policy = policyOf(item.ProviderId);
            if (policy == ReceiptPolicy.AllParts && count > MaxMaskParts) policy = ReceiptPolicy.LastPart;
            var delivered = item.Status == MessageStatus.Delivered;
            var decides = policy switch
            {
                // The first part's receipt, not the first to arrive (issue 12: part 2 can be receipted first).
                ReceiptPolicy.FirstPart => item.PartIndex == 0,
                ReceiptPolicy.LastPart => item.PartIndex >= count - 1,
                ReceiptPolicy.AllParts => !delivered || count == 1,
                _ => true,
            };
            var exists = rows.TryGetValue(id, out var row);
            // Takes the decision: the policy lets it decide and no earlier receipt of the batch did.
            var takes = decides && (!exists || row.Status == Undecided);
            // Every delivered part sets its bit, whatever the policy: DeliveredParts counts parts known delivered.
            var bit = delivered && item.PartIndex is >= 0 and < MaxMaskParts ? 1L << item.PartIndex : 0;
            if (!exists)
            {
                if (!takes && bit == 0) continue;
                row = new MessageReceipt(id, Undecided, null, item.DoneAt, 0, 0, item.ProviderId, item.SmscDoneAt, item.PartPrice is null ? 0 : count, item.PartPrice);
                order.Add(id);
            }
            if (policy == ReceiptPolicy.AllParts && count > 1) row = row with { AllParts = (1L << count) - 1 };
            // Until a part decides, DoneAt follows the latest delivered part (the AllParts completion time).
            if (takes) row = row with { Status = (int)item.Status, ErrorCode = item.ErrorCode, DoneAt = item.DoneAt, SmscDoneAt = item.SmscDoneAt };
            else if (row.Status == Undecided && item.DoneAt > row.DoneAt) row = row with { DoneAt = item.DoneAt, SmscDoneAt = item.SmscDoneAt };
            rows[id] = row with { DeliveredBits = row.DeliveredBits | bit };
        }
        return order.Select(id => rows[id]).ToList();
    }

    /// <summary>
    /// Re-applies orphans (received within <see cref="SendingOptions.ReceiptOrphanRecheck"/>) whose
    /// provider id now belongs to a message: taken out with DELETE ... RETURNING and applied in the
    /// same transaction, so two sweeping nodes never apply one twice and a failed apply deletes
    /// nothing. An orphan of a message already final is deleted too (a late duplicate).
    /// </summary>
    /// <returns>Orphans taken out (applied or found to be duplicates).</returns>
    public async Task<int> ReapplyOrphansAsync(CancellationToken ct)
    {
        var policy = await policies.GetAsync(ct);
        var since = clock.GetUtcNow().UtcDateTime - options.Value.ReceiptOrphanRecheck;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        var total = 0;
        for (var round = 0; round < 20; round++)
        {
            var taken = await DispatchSql.RetryOnConflictAsync(async () =>
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                var items = new List<(long Id, ReceiptItem Item)>();
                await using (var take = DispatchSql.Command(connection, """
                    DELETE FROM "ReceiptOrphans" WHERE "Id" IN (
                        SELECT o."Id" FROM "ReceiptOrphans" o
                        WHERE o."ReceivedAt" >= @since AND (EXISTS (SELECT 1 FROM "Messages" m
                            WHERE m."ProviderId" = o."ProviderId" AND m."ProviderMessageId" = o."ProviderMessageId")
                          OR EXISTS (SELECT 1 FROM "MessageParts" p
                            WHERE p."ProviderId" = o."ProviderId" AND p."ProviderMessageId" = o."ProviderMessageId"))
                        ORDER BY o."Id" LIMIT 1000)
                    RETURNING "Id", "ProviderId", "ProviderMessageId", "Status", "ErrorCode", "DoneAt"
                    """, transaction))
                {
                    take.AddTime("@since", since);
                    await using var reader = await take.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        items.Add((reader.GetInt64(0), new ReceiptItem(null, reader.GetInt32(1), reader.GetString(2), (MessageStatus)reader.GetInt32(3),
                            reader.IsDBNull(4) ? null : reader.GetString(4), DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc))));
                    }
                }
                // Oldest first, in arrival order like any receipt batch. A part of a long message is
                // resolved through MessageParts and combined under its provider's policy (issue 12:
                // matched by Messages.ProviderMessageId only, a second part's orphan never applied).
                var (applied, finals) = (0, new List<Telemetry.ReceiptTelemetry.Final>());
                if (items.Count > 0)
                {
                    var result = await ApplyItemsAsync(connection, transaction, items.OrderBy(x => x.Id).Select(x => x.Item).ToList(), policy, retry: false, ct);
                    (applied, finals) = (result.Applied, result.Finals);
                }
                await transaction.CommitAsync(ct);
                Telemetry.ReceiptTelemetry.Record(finals, policies.NameOf);
                Interlocked.Add(ref Applied, applied);
                if (applied > 0) logger.LogInformation("{Applied} orphan receipts applied to messages recorded after them", applied);
                return items.Count;
            }, ct);
            total += taken;
            if (taken < 1000) break;
        }
        return total;
    }

    /// <summary>Deletes orphans older than <see cref="SendingOptions.ReceiptOrphanRetention"/>: by then no submit result can still show up.</summary>
    public async Task<int> PurgeOrphansAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var command = DispatchSql.Command(connection, """DELETE FROM "ReceiptOrphans" WHERE "ReceivedAt" < @cutoff""");
        command.AddTime("@cutoff", clock.GetUtcNow().UtcDateTime - options.Value.ReceiptOrphanRetention);
        var purged = await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct);
        if (purged > 0) logger.LogInformation("{Count} orphan receipts older than {Retention} purged", purged, options.Value.ReceiptOrphanRetention);
        return purged;
    }

    /// <summary>
    /// Which receipts are for a part of a long message: one SELECT joining MessageParts (and the
    /// message's part count). Returns them as if the connector had matched them in memory.
    /// </summary>
    private static async Task<List<((int, string) Key, ReceiptItem Item)>> ResolvePartsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<ReceiptItem> items, CancellationToken ct)
    {
        await using var command = DispatchSql.Command(connection, "", transaction);
        command.CommandText = DispatchSql.Values(command, "prov, pid", items, (c, item, name) =>
            {
                c.AddInt(name(0), item.ProviderId);
                c.Add(name(1), item.ProviderMessageId);
            }) + """
            SELECT p."ProviderId", p."ProviderMessageId", p."MessageId", p."PartIndex", m."Parts"
            FROM v JOIN "MessageParts" p ON p."ProviderId" = v.prov AND p."ProviderMessageId" = v.pid
            JOIN "Messages" m ON m."Id" = p."MessageId"
            """;
        var byKey = items.ToDictionary(i => (i.ProviderId, i.ProviderMessageId));
        var found = new List<((int, string), ReceiptItem)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = (reader.GetInt32(0), reader.GetString(1));
            if (!byKey.TryGetValue(key, out var item)) continue;
            found.Add((key, item with { MessageId = reader.GetInt64(2), PartIndex = reader.GetInt32(3), PartCount = Math.Max(reader.GetInt32(4), reader.GetInt32(3) + 1) }));
        }
        return found;
    }

    /// <summary>
    /// One UPDATE matching by (ProviderId, ProviderMessageId): FirstPart semantics (see the class
    /// summary). Only in-flight messages change, so each row returned is a transition (added to
    /// <paramref name="finals"/> once the statement was read). Returns the pairs matched.
    /// </summary>
    private static async Task<HashSet<(int, string)>> ApplyByProviderIdAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<ReceiptItem> items,
        List<Telemetry.ReceiptTelemetry.Final> finals, CancellationToken ct)
    {
        await using var command = DispatchSql.Command(connection, "", transaction);
        command.CommandText = DispatchSql.Values(command, "pid, s, err, done, prov, bits, smsc", items, (c, item, name) =>
            {
                c.AddTime(name(6), item.SmscDoneAt);
                c.Add(name(0), item.ProviderMessageId);
                c.AddInt(name(1), (int)item.Status);
                c.Add(name(2), item.ErrorCode);
                c.AddTime(name(3), item.DoneAt);
                c.AddInt(name(4), item.ProviderId);
                c.Add(name(5), item.Status == MessageStatus.Delivered ? 1L : 0L);
            }) + $"""
            UPDATE "Messages" SET "Status" = v.s, "ErrorCode" = v.err, "DoneAt" = v.done, "SmscDoneAt" = v.smsc, "DeliveredParts" = "Messages"."DeliveredParts" | v.bits
            FROM v WHERE "Messages"."ProviderId" = v.prov AND "Messages"."ProviderMessageId" = v.pid AND "Messages"."Status" IN {InFlight}
            RETURNING "Messages"."ProviderId", "Messages"."ProviderMessageId", "Messages"."Status", "Messages"."SubmittedAt", "Messages"."DoneAt"
            """;
        var found = new HashSet<(int, string)>();
        var made = new List<Telemetry.ReceiptTelemetry.Final>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                found.Add((reader.GetInt32(0), reader.GetString(1)));
                TimeSpan? lag = reader.IsDBNull(3) ? null
                    : DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc) - DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc);
                made.Add(new(reader.GetInt32(0), (MessageStatus)reader.GetInt32(2), lag < TimeSpan.Zero ? TimeSpan.Zero : lag));
            }
        }
        finals.AddRange(made);
        return found;
    }

    /// <summary>
    /// One multi-row INSERT of the receipts that matched nothing. Skipped: those whose message
    /// exists but is final (duplicates, nothing to apply later), those already kept with the same
    /// status (a duplicate orphan), and ids longer than the column (no message can have one).
    /// </summary>
    private async Task<int> KeepOrphansAsync(DbConnection connection, List<ReceiptItem> unmatched, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var kept = 0;
        foreach (var part in unmatched.Where(i => i.ProviderMessageId.Length is > 0 and <= ProviderIdLength).Chunk(1000))
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "prov, pid, s, err, done", part, (c, item, name) =>
                {
                    c.AddInt(name(0), item.ProviderId);
                    c.Add(name(1), item.ProviderMessageId);
                    c.AddInt(name(2), (int)item.Status);
                    c.Add(name(3), item.ErrorCode);
                    c.AddTime(name(4), item.DoneAt);
                }) + """
                INSERT INTO "ReceiptOrphans" ("ProviderId", "ProviderMessageId", "Status", "ErrorCode", "DoneAt", "ReceivedAt")
                SELECT v.prov, v.pid, v.s, v.err, v.done, @now FROM v
                WHERE EXISTS (SELECT 1 FROM "Providers" p WHERE p."Id" = v.prov)
                  AND NOT EXISTS (SELECT 1 FROM "Messages" m WHERE m."ProviderId" = v.prov AND m."ProviderMessageId" = v.pid)
                  AND NOT EXISTS (SELECT 1 FROM "ReceiptOrphans" o WHERE o."ProviderId" = v.prov AND o."ProviderMessageId" = v.pid AND o."Status" = v.s)
                """;
            command.AddTime("@now", now);
            kept += await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct);
        }
        return kept;
    }

    /// <summary>
    /// Error codes cut to the column (32), never inside a surrogate pair; a longer one from an HTTP
    /// callback would otherwise fail the whole batch's UPDATE on PostgreSQL, again at every redelivery.
    /// </summary>
    internal static ReceiptItem Sanitized(ReceiptItem item) =>
        item.ErrorCode is { Length: > ErrorCodeLength } code ? item with { ErrorCode = Cut(code, ErrorCodeLength) } : item;

    internal static string Cut(string text, int length)
    {
        if (text.Length <= length) return text;
        var end = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..end];
    }
}
