using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Clients;

/// <summary>One parsed event of a batch, still naming its client by external id.</summary>
/// <param name="EventKey">The sender's event id (idempotency key); null: stored every time it is sent.</param>
public sealed record IncomingEvent(int Index, string ExternalId, ClientEventType Type, string? Name, decimal? Amount, DateTime OccurredAt, string? AttributesJson,
    string? EventKey = null);

/// <param name="Accepted">Events stored; zero when nothing was written.</param>
/// <param name="Duplicates">Events whose key the source had already sent (or sent earlier in the batch): answered, not stored again.</param>
public sealed record IngestResult(int Accepted, IReadOnlyList<BatchItemError> Errors, bool Applied, int Duplicates = 0);

/// <summary>
/// Stores a batch of client events and moves the clients' aggregates (purchase count, total
/// spend, last purchase, last activity) and the event roll-ups in the same transaction: one query
/// resolves the external ids, one batched insert stores the events, one UPDATE per 500 clients adds
/// the deltas, one more recomputes their roll-ups (<see cref="ClientEventRollups"/>).
/// </summary>
public sealed class ClientEventIngestion(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, ILogger<ClientEventIngestion> logger)
{
    private const int ClientsPerUpdate = 500;
    /// <summary>Keyed events per INSERT: 8 parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535.</summary>
    private const int KeyedEventsPerInsert = 500;

    /// <param name="source">Who sends (<see cref="ClientEvent.ApiSource"/>, <see cref="ClientEvent.SyncSource"/>): event keys are unique per source.</param>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<IncomingEvent> events, IReadOnlyList<BatchItemError> parseErrors, bool atomic, CancellationToken ct,
        string source = ClientEvent.ApiSource)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await IngestInTransactionAsync(db, events, parseErrors, atomic, ct, source);
        if (result.Applied)
        {
            await tx.CommitAsync(ct);
            logger.LogInformation("Ingested {Accepted} client events, {Duplicates} duplicates, {Refused} refused", result.Accepted, result.Duplicates, result.Errors.Count);
        }
        return result;
    }

    /// <summary>Events dated before this are refused (issue 20: a 1900 date is a typo, not history).</summary>
    public static readonly DateTime EarliestEvent = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    /// <summary>How far ahead of the clock an event may be dated (time zones, clock drift); a 2099 purchase would hold the roll-ups for good.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);
    /// <summary>The largest attributes document of one event, in UTF-8 bytes.</summary>
    public const int MaxAttributesBytes = 4096;

    /// <summary>
    /// Issue 20: refuses what cannot be true (dates before <see cref="EarliestEvent"/> or more than
    /// <see cref="FutureTolerance"/> ahead, negative amounts) and oversized attributes, for the API
    /// and the scheduled sync alike. With no future dates accepted, the client's last purchase and
    /// last activity only move forward to real moments.
    /// </summary>
    internal static BatchItemError? Implausible(IncomingEvent e, DateTime now)
    {
        if (e.OccurredAt < EarliestEvent)
        {
            return new(e.Index, e.ExternalId, "occurredAt", "The date is before 2000: refused.");
        }
        if (e.OccurredAt > now + FutureTolerance)
        {
            return new(e.Index, e.ExternalId, "occurredAt", "The date is more than a day in the future: refused.");
        }
        if (e.Amount < 0)
        {
            return new(e.Index, e.ExternalId, "amount", "An amount cannot be negative.");
        }
        if (e.AttributesJson is { } json && System.Text.Encoding.UTF8.GetByteCount(json) > MaxAttributesBytes)
        {
            return new(e.Index, e.ExternalId, "attributes", $"The attributes are larger than {MaxAttributesBytes / 1024} KB.");
        }
        return null;
    }

    /// <summary>
    /// The same work inside the caller's open transaction, so a caller ingesting many batches
    /// (a scheduled sync) commits all of them, and its own bookkeeping, at once or not at all.
    /// </summary>
    public async Task<IngestResult> IngestInTransactionAsync(PortalDbContext db, IReadOnlyList<IncomingEvent> events,
        IReadOnlyList<BatchItemError> parseErrors, bool atomic, CancellationToken ct, string source = ClientEvent.ApiSource)
    {
        var errors = new List<BatchItemError>(parseErrors);
        var externalIds = events.Select(e => e.ExternalId).Distinct().ToList();
        var clientIds = await db.Clients.AsNoTracking()
            .Where(c => c.ExternalId != null && externalIds.Contains(c.ExternalId))
            .Select(c => new { ExternalId = c.ExternalId!, c.Id })
            .ToDictionaryAsync(c => c.ExternalId, c => c.Id, StringComparer.Ordinal, ct);
        errors.AddRange(events.Where(e => !clientIds.ContainsKey(e.ExternalId))
            .Select(e => new BatchItemError(e.Index, e.ExternalId, "externalId", "No client has this external id.")));
        errors.AddRange(events.Select(e => Implausible(e, clock.GetUtcNow().UtcDateTime)).OfType<BatchItemError>());

        var failed = errors.Select(e => e.Index).ToHashSet();
        var good = events.Where(e => !failed.Contains(e.Index)).ToList();
        errors = errors.OrderBy(e => e.Index).ToList();
        if (good.Count == 0 || (atomic && errors.Count > 0))
        {
            return new(0, errors, Applied: false);
        }

        // Events without a key are stored as before; keyed ones only when their key is new for the
        // source, and only those stored move the aggregates and roll-ups below.
        db.ClientEvents.AddRange(good.Where(e => e.EventKey is null)
            .Select(e => new ClientEvent(clientIds[e.ExternalId], e.Type, e.OccurredAt, e.Amount, e.Name, e.AttributesJson)));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear(); // a long sync passes many batches through one context
        var duplicates = await InsertKeyedAsync(db, good.Where(e => e.EventKey is not null).ToList(), clientIds, source, ct);
        if (duplicates.Count > 0)
        {
            good = good.Where(e => !duplicates.Contains(e.Index)).ToList();
        }

        var deltas = good.GroupBy(e => clientIds[e.ExternalId]).Select(g =>
        {
            var purchases = g.Where(e => e.Type == ClientEventType.Purchase).ToList();
            return new AggregateDelta(g.Key, purchases.Count, purchases.Sum(e => e.Amount ?? 0m),
                purchases.Count > 0 ? purchases.Max(e => e.OccurredAt) : DateTime.UnixEpoch, g.Max(e => e.OccurredAt));
        }).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var chunk in deltas.Chunk(ClientsPerUpdate))
        {
            await UpdateAggregatesAsync(db, chunk, now, ct);
        }
        await ClientEventRollups.RefreshAsync(db, deltas.Select(d => d.ClientId).ToList(), ct);
        return new(good.Count, errors, Applied: true, duplicates.Count);
    }

    /// <summary>
    /// Stores the keyed events whose key the source has not sent before, set-based:
    /// <c>INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING "EventKey"</c> (PostgreSQL,
    /// and SQLite 3.35+), 500 events a statement. The unique index on (Source, EventKey) decides,
    /// so a node racing this one with the same key waits for its commit and then inserts nothing;
    /// a key repeated inside the batch keeps its first event.
    /// </summary>
    /// <returns>The indexes of the events not stored (duplicates).</returns>
    private static async Task<HashSet<int>> InsertKeyedAsync(PortalDbContext db, List<IncomingEvent> keyed, Dictionary<string, long> clientIds,
        string source, CancellationToken ct)
    {
        var duplicates = new HashSet<int>();
        if (keyed.Count == 0)
        {
            return duplicates;
        }
        var firstOfKey = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in keyed.Where(e => !firstOfKey.Add(e.EventKey!)))
        {
            duplicates.Add(e.Index);
        }
        var sqlite = db.Database.IsSqlite();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var chunk in keyed.Where(e => !duplicates.Contains(e.Index)).Chunk(KeyedEventsPerInsert))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var values = new StringBuilder();
            string Add(object? value)
            {
                var p = command.CreateParameter();
                p.ParameterName = "@p" + command.Parameters.Count;
                // SQLite stores money as REAL (ADR 0001) and would bind a decimal as TEXT.
                p.Value = value switch { null => DBNull.Value, decimal d when sqlite => (double)d, _ => value };
                command.Parameters.Add(p);
                return p.ParameterName;
            }
            foreach (var e in chunk)
            {
                values.Append(values.Length == 0 ? "" : ", ")
                    .Append($"({Add(clientIds[e.ExternalId])}, {Add((int)e.Type)}, {Add(e.Name)}, {Add(e.OccurredAt)}, {Add(e.Amount)}, ")
                    .Append($"{Add(e.AttributesJson)}, {Add(source)}, {Add(e.EventKey)})");
            }
            command.CommandText = $"""
                INSERT INTO "ClientEvents" ("ClientId", "Type", "Name", "OccurredAt", "Amount", "AttributesJson", "Source", "EventKey")
                VALUES {values}
                ON CONFLICT DO NOTHING
                RETURNING "EventKey"
                """;
            var stored = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    stored.Add(reader.GetString(0));
                }
            }
            foreach (var e in chunk.Where(e => !stored.Contains(e.EventKey!)))
            {
                duplicates.Add(e.Index);
            }
        }
        return duplicates;
    }

    private sealed record AggregateDelta(long ClientId, int Purchases, decimal Spend, DateTime LastPurchase, DateTime LastActivity);

    /// <summary>
    /// Adds the deltas in SQL rather than writing read values back, so two batches for the same
    /// client running at once both count. <c>WITH v(...) AS (VALUES ...) UPDATE ... FROM v</c> runs on
    /// PostgreSQL and on SQLite (3.33+; SQLite cannot name the columns of a VALUES alias, a CTE can).
    /// </summary>
    private static async Task UpdateAggregatesAsync(PortalDbContext db, AggregateDelta[] chunk, DateTime now, CancellationToken ct)
    {
        var sqlite = db.Database.IsSqlite();
        var connection = db.Database.GetDbConnection();
        var parameters = new List<DbParameter>();
        var values = new StringBuilder();
        DbParameter Add(object value)
        {
            var p = connection.CreateCommand().CreateParameter();
            p.ParameterName = "@p" + parameters.Count;
            // SQLite stores money as REAL (ADR 0001) and would bind a decimal as TEXT.
            p.Value = sqlite && value is decimal d ? (double)d : value;
            parameters.Add(p);
            return p;
        }
        foreach (var d in chunk)
        {
            values.Append(values.Length == 0 ? "" : ", ")
                .Append($"({Add(d.ClientId).ParameterName}, {Add(d.Purchases).ParameterName}, {Add(d.Spend).ParameterName}, ")
                .Append($"{Add(d.LastPurchase).ParameterName}, {Add(d.LastActivity).ParameterName})");
        }
        var nowParameter = Add(now).ParameterName;
        var sql = $"""
            WITH v(id, n, spend, lastp, lasta) AS (VALUES {values})
            UPDATE "Clients" SET
                "PurchaseCount" = "Clients"."PurchaseCount" + v.n,
                "TotalSpend" = "Clients"."TotalSpend" + v.spend,
                "LastPurchaseAt" = CASE WHEN v.n > 0 AND ("Clients"."LastPurchaseAt" IS NULL OR "Clients"."LastPurchaseAt" < v.lastp)
                                        THEN v.lastp ELSE "Clients"."LastPurchaseAt" END,
                "LastActivityAt" = CASE WHEN "Clients"."LastActivityAt" IS NULL OR "Clients"."LastActivityAt" < v.lasta
                                        THEN v.lasta ELSE "Clients"."LastActivityAt" END,
                "UpdatedAt" = {nowParameter}
            FROM v
            WHERE "Clients"."Id" = v.id
            """;
        await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
    }
}
