using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Clients;

/// <summary>
/// Keeps the event roll-up columns of <see cref="Client"/> (latest and largest purchase, payment,
/// login, visit) equal to what <c>ClientEvents</c> holds. Every writer of events calls it for
/// the clients it touched, in its own transaction: API ingestion and scheduled sync (through
/// <see cref="ClientEventIngestion"/>), the demo seeder (by id range) and the <c>rollups</c> verb (all).
/// Each call recomputes the touched clients from their events in one set-based statement, so it is
/// idempotent and right whatever order batches arrive in (no deltas to lose).
/// </summary>
public static class ClientEventRollups
{
    private const int IdsPerStatement = 500;

    /// <summary>
    /// One statement for both providers: rank each client's events per type (latest first; at the
    /// same instant the largest amount first), keep the first of each, pivot the four types into one
    /// row per client, update. Window functions, NULLS LAST and UPDATE ... FROM need SQLite 3.33+
    /// (the bundled one is newer). <c>{filter}</c> narrows the events to the touched clients.
    /// </summary>
    private const string Sql = """
        WITH {ids}ranked AS (
            SELECT e."ClientId" AS id, e."Type" AS t, e."OccurredAt" AS at, e."Amount" AS amount,
                   row_number() OVER (PARTITION BY e."ClientId", e."Type" ORDER BY e."OccurredAt" DESC, e."Amount" DESC NULLS LAST) AS n,
                   max(e."Amount") OVER (PARTITION BY e."ClientId", e."Type") AS top
            FROM "ClientEvents" e
            WHERE e."Type" IN (1, 2, 3, 4) AND {filter}
        ),
        r AS (
            SELECT id,
                   max(CASE WHEN t = 1 THEN at END) AS purchase_at, max(CASE WHEN t = 1 THEN amount END) AS purchase_amount,
                   max(CASE WHEN t = 1 THEN top END) AS purchase_top,
                   max(CASE WHEN t = 2 THEN at END) AS payment_at, max(CASE WHEN t = 2 THEN amount END) AS payment_amount,
                   max(CASE WHEN t = 2 THEN top END) AS payment_top,
                   max(CASE WHEN t = 3 THEN at END) AS login_at, max(CASE WHEN t = 4 THEN at END) AS visit_at
            FROM ranked WHERE n = 1 GROUP BY id
        )
        UPDATE "Clients" SET
            "LastPurchaseEventAt" = r.purchase_at, "LastPurchaseEventAmount" = r.purchase_amount, "MaxPurchaseEventAmount" = r.purchase_top,
            "LastPaymentEventAt" = r.payment_at, "LastPaymentEventAmount" = r.payment_amount, "MaxPaymentEventAmount" = r.payment_top,
            "LastLoginEventAt" = r.login_at, "LastVisitEventAt" = r.visit_at
        FROM r
        WHERE "Clients"."Id" = r.id
        """;

    /// <summary>Every client's roll-ups in one statement: the migration that added them back-fills with it.</summary>
    public static string AllClientsSql { get; } = Sql.Replace("{ids}", "").Replace("{filter}", "1 = 1");

    /// <summary>The roll-ups of the given clients (after their events were written, same transaction).</summary>
    public static async Task RefreshAsync(PortalDbContext db, IReadOnlyCollection<long> clientIds, CancellationToken ct)
    {
        foreach (var chunk in clientIds.Distinct().Chunk(IdsPerStatement))
        {
            var connection = db.Database.GetDbConnection();
            var parameters = new List<DbParameter>();
            var values = new StringBuilder();
            foreach (var id in chunk)
            {
                var p = connection.CreateCommand().CreateParameter();
                p.ParameterName = "@p" + parameters.Count;
                p.Value = id;
                parameters.Add(p);
                values.Append(values.Length == 0 ? "" : ", ").Append('(').Append(p.ParameterName).Append(')');
            }
            var sql = Sql.Replace("{ids}", $"ids(id) AS (VALUES {values}),\n")
                .Replace("{filter}", "e.\"ClientId\" IN (SELECT id FROM ids)");
            await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
        }
    }

    /// <summary>The roll-ups of clients with ids in (<paramref name="afterId"/>, <paramref name="lastId"/>]: bulk writers, chunk by chunk.</summary>
    public static Task<int> RefreshRangeAsync(PortalDbContext db, long afterId, long lastId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(
            Sql.Replace("{ids}", "").Replace("{filter}", $"e.\"ClientId\" > {afterId} AND e.\"ClientId\" <= {lastId}"), ct);

    /// <summary>Every client's roll-ups, in ranges of <paramref name="clientsPerStatement"/> ids (after a restore or a manual fix).</summary>
    /// <returns>Clients updated.</returns>
    public static async Task<long> RefreshAllAsync(PortalDbContext db, IProgress<long>? progress, CancellationToken ct, int clientsPerStatement = 50_000)
    {
        var last = await db.Clients.MaxAsync(c => (long?)c.Id, ct) ?? 0;
        long updated = 0;
        for (long from = 0; from < last; from += clientsPerStatement)
        {
            updated += await RefreshRangeAsync(db, from, Math.Min(last, from + clientsPerStatement), ct);
            progress?.Report(updated);
        }
        return updated;
    }
}
