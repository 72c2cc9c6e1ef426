using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Applies a batch of receipts with one UPDATE ... FROM per kind of match. Only messages still in
/// flight (Submitting, Submitted, Uncertain) change, so duplicates and late copies change nothing.
/// Receipts whose provider id is not in the database yet (the submit result is still being
/// recorded) go back on the queue, a few times, a little later.
/// </summary>
public sealed class ReceiptProcessor(
    IDbContextFactory<PortalDbContext> contexts,
    IMessageBus bus,
    IOptions<SendingOptions> options,
    ILogger<ReceiptProcessor> logger)
{
    private const string InFlight = "(3, 8, 11)";

    public long Applied;
    public long Dropped;

    public async Task ApplyAsync(ReceiptBatch batch, CancellationToken ct)
    {
        var byId = batch.Items.Where(i => i.MessageId is not null).ToList();
        var byProviderId = batch.Items.Where(i => i.MessageId is null).ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        var applied = 0;
        // Two parts' receipts for one message in one batch: the first wins.
        foreach (var part in Slices(byId.DistinctBy(i => i.MessageId).ToList()))
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "id, s, err, done", part, Bind) + $"""
                UPDATE "Messages" SET "Status" = v.s, "ErrorCode" = v.err, "DoneAt" = v.done
                FROM v WHERE "Messages"."Id" = v.id AND "Messages"."Status" IN {InFlight}
                """;
            applied += await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct);
        }
        var unmatched = new List<ReceiptItem>();
        foreach (var part in Slices(byProviderId.DistinctBy(i => (i.ProviderId, i.ProviderMessageId)).ToList()))
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "pid, s, err, done, prov", part, (c, item, name) =>
                {
                    c.Add(name(0), item.ProviderMessageId);
                    c.AddInt(name(1), (int)item.Status);
                    c.Add(name(2), item.ErrorCode);
                    c.AddTime(name(3), item.DoneAt);
                    c.AddInt(name(4), item.ProviderId);
                }) + $"""
                UPDATE "Messages" SET "Status" = v.s, "ErrorCode" = v.err, "DoneAt" = v.done
                FROM v WHERE "Messages"."ProviderId" = v.prov AND "Messages"."ProviderMessageId" = v.pid AND "Messages"."Status" IN {InFlight}
                RETURNING "Messages"."ProviderId", "Messages"."ProviderMessageId"
                """;
            var matched = await DispatchSql.RetryOnConflictAsync(async () =>
            {
                var found = new HashSet<(int, string)>();
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) found.Add((reader.GetInt32(0), reader.GetString(1)));
                return found;
            }, ct);
            applied += matched.Count;
            unmatched.AddRange(part.Where(i => !matched.Contains((i.ProviderId, i.ProviderMessageId))));
        }
        Interlocked.Add(ref Applied, applied);
        if (unmatched.Count == 0) return;
        if (batch.Attempt >= options.Value.ReceiptRetries)
        {
            Interlocked.Add(ref Dropped, unmatched.Count);
            logger.LogWarning("{Count} receipts matched no message after {Attempts} attempts (already final or unknown ids)", unmatched.Count, batch.Attempt + 1);
            return;
        }
        await Task.Delay(options.Value.ReceiptRetryDelay, ct);
        await bus.PublishAsync(options.Value.ReceiptQueue, new ReceiptBatch(unmatched, batch.Attempt + 1), ct);
    }

    private static void Bind(DbCommand c, ReceiptItem item, Func<int, string> name)
    {
        c.Add(name(0), item.MessageId!.Value);
        c.AddInt(name(1), (int)item.Status);
        c.Add(name(2), item.ErrorCode);
        c.AddTime(name(3), item.DoneAt);
    }

    /// <summary>At most 1,000 rows per statement: SQLite allows 32,766 parameters.</summary>
    private static IEnumerable<List<ReceiptItem>> Slices(List<ReceiptItem> items) => items.Chunk(1000).Select(c => c.ToList());
}
