using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Portal.Domain.Clients;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Sqlite;

namespace Portal.Infrastructure.Seeding;

/// <summary>One generated event, in the shape the bulk writers store.</summary>
public sealed record DemoEvent(long ClientId, ClientEventType Type, DateTime OccurredAt, decimal? Amount);

/// <summary>
/// Demo purchases, payments, logins and visits over the two years before the reference date, so
/// audiences over events have something to find. Deterministic per client id; 0..2N events per
/// client (N on average). Written in bulk (binary COPY on PostgreSQL), chunk by chunk of client ids,
/// each chunk's event roll-ups recomputed right after it.
/// </summary>
public static class DemoEventWriter
{
    private const int ChunkClients = 50_000;

    public static IEnumerable<DemoEvent> For(long clientId, int perClient, DateTime referenceDate)
    {
        var state = (ulong)clientId * 0x9E3779B97F4A7C15UL ^ 0xD1B54A32D192ED03UL;
        ulong Next()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        int Roll(int max) => (int)(Next() % (ulong)max);
        var count = Roll(2 * perClient + 1);
        var today = referenceDate.Date;
        for (var i = 0; i < count; i++)
        {
            var roll = Roll(100);
            var type = roll < 35 ? ClientEventType.Purchase : roll < 55 ? ClientEventType.Payment : roll < 85 ? ClientEventType.Login : ClientEventType.Visit;
            var at = today.AddDays(-Roll(730)).AddSeconds(Roll(86_400));
            decimal? amount = type switch
            {
                ClientEventType.Purchase => 100 + Roll(9_900) + Roll(100) / 100m,
                ClientEventType.Payment => 50 + Roll(2_950),
                _ => null,
            };
            yield return new DemoEvent(clientId, type, DateTime.SpecifyKind(at, DateTimeKind.Utc), amount);
        }
    }

    /// <summary>Adds events for demo clients that have none yet (resumable: continues after the last client with events).</summary>
    /// <returns>The number of events written.</returns>
    public static async Task<long> WriteAsync(PortalDbContext db, int perClient, DateTime referenceDate, IProgress<long>? progress, CancellationToken ct)
    {
        var after = await db.ClientEvents.MaxAsync(e => (long?)e.ClientId, ct) ?? 0;
        long written = 0;
        while (true)
        {
            var ids = await db.Clients.AsNoTracking()
                .Where(c => c.Id > after && c.ExternalId!.StartsWith(DemoClientGenerator.ExternalIdPrefix))
                .OrderBy(c => c.Id).Select(c => c.Id).Take(ChunkClients).ToListAsync(ct);
            if (ids.Count == 0)
            {
                return written;
            }
            var first = after;
            after = ids[^1];
            var events = ids.SelectMany(id => For(id, perClient, referenceDate));
            written += db is SqlitePortalDbContext
                ? await WriteSqliteAsync(db, events, ct)
                : await WritePostgresAsync(db, events, ct);
            await ClientEventRollups.RefreshRangeAsync(db, first, after, ct);
            progress?.Report(written);
        }
    }

    private static async Task<long> WritePostgresAsync(PortalDbContext db, IEnumerable<DemoEvent> events, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(ct);
        }
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY \"ClientEvents\" (\"ClientId\", \"Type\", \"OccurredAt\", \"Amount\") FROM STDIN (FORMAT BINARY)", ct);
        long written = 0;
        foreach (var e in events)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(e.ClientId, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync((int)e.Type, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz, ct);
            if (e.Amount is { } amount)
            {
                await importer.WriteAsync(amount, NpgsqlDbType.Numeric, ct);
            }
            else
            {
                await importer.WriteNullAsync(ct);
            }
            written++;
        }
        await importer.CompleteAsync(ct);
        return written;
    }

    private static async Task<long> WriteSqliteAsync(PortalDbContext db, IEnumerable<DemoEvent> events, CancellationToken ct)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(ct);
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO \"ClientEvents\" (\"ClientId\", \"Type\", \"OccurredAt\", \"Amount\") VALUES ($c, $t, $o, $a)";
        var c = command.Parameters.Add(new SqliteParameter { ParameterName = "$c" });
        var t = command.Parameters.Add(new SqliteParameter { ParameterName = "$t" });
        var o = command.Parameters.Add(new SqliteParameter { ParameterName = "$o" });
        var a = command.Parameters.Add(new SqliteParameter { ParameterName = "$a" });
        long written = 0;
        foreach (var e in events)
        {
            c.Value = e.ClientId;
            t.Value = (int)e.Type;
            o.Value = e.OccurredAt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            a.Value = e.Amount is { } amount ? (double)amount : DBNull.Value;
            command.ExecuteNonQuery();
            written++;
        }
        await tx.CommitAsync(ct);
        return written;
    }
}
