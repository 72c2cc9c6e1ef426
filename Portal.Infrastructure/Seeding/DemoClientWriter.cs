using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Sqlite;

namespace Portal.Infrastructure.Seeding;

/// <summary>
/// Streams generated clients into the Clients table in bulk: binary COPY on PostgreSQL, one
/// prepared INSERT reused inside large transactions on SQLite. Never holds the base in memory.
/// </summary>
public static class DemoClientWriter
{
    internal static readonly string[] Columns =
    [
        "ExternalId", "Phone", "FirstName", "MiddleName", "LastName", "Gender", "BirthDate", "Language",
        "RegionCode", "City", "TimeZone", "Status", "RegisteredAt", "LoyaltyTier", "Balance", "TotalSpend",
        "PurchaseCount", "LastPurchaseAt", "LastActivityAt", "ServiceConsentGranted", "ServiceConsentAt",
        "ServiceConsentSource", "AdvertisingConsentGranted", "AdvertisingConsentAt", "AdvertisingConsentSource",
        "OptedOutAt", "OptOutReason", "CreatedAt", "UpdatedAt", "Tariff", "Operator",
    ];

    private const string ConsentSource = "demo-seed";
    private const int SqliteBatch = 50_000;

    /// <returns>The number of rows written.</returns>
    public static async Task<long> WriteAsync(PortalDbContext db, IEnumerable<DemoClient> clients, IProgress<long>? progress, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(ct);
        }
        return db is SqlitePortalDbContext
            ? await WriteSqliteAsync((SqliteConnection)connection, clients, progress, ct)
            : await WritePostgresAsync((NpgsqlConnection)connection, clients, progress, ct);
    }

    private static async Task<long> WritePostgresAsync(NpgsqlConnection connection, IEnumerable<DemoClient> clients, IProgress<long>? progress, CancellationToken ct)
    {
        var copy = $"COPY \"Clients\" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await connection.BeginBinaryImportAsync(copy, ct);
        long written = 0;
        foreach (var c in clients)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(c.ExternalId, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.Phone, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.FirstName, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.MiddleName, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.LastName, NpgsqlDbType.Text, ct);
            await importer.WriteAsync((int)c.Gender, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(c.BirthDate, NpgsqlDbType.Date, ct);
            await importer.WriteAsync(c.Language, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.RegionCode, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.City, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.TimeZone, NpgsqlDbType.Text, ct);
            await importer.WriteAsync((int)c.Status, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(c.RegisteredAt, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync((int)c.LoyaltyTier, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(c.Balance, NpgsqlDbType.Numeric, ct);
            await importer.WriteAsync(c.TotalSpend, NpgsqlDbType.Numeric, ct);
            await importer.WriteAsync(c.PurchaseCount, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(importer, c.LastPurchaseAt, ct);
            await WriteNullableAsync(importer, c.LastActivityAt, ct);
            await importer.WriteAsync(c.ServiceConsent, NpgsqlDbType.Boolean, ct);
            await importer.WriteAsync(c.ConsentAt, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(ConsentSource, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.AdvertisingConsent, NpgsqlDbType.Boolean, ct);
            await importer.WriteAsync(c.ConsentAt, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(ConsentSource, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(importer, c.OptedOutAt, ct);
            if (c.OptedOutAt is null)
            {
                await importer.WriteNullAsync(ct);
            }
            else
            {
                await importer.WriteAsync("demo", NpgsqlDbType.Text, ct);
            }
            await importer.WriteAsync(c.RegisteredAt, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(c.RegisteredAt, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(c.Tariff, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(c.Operator, NpgsqlDbType.Text, ct);
            if (++written % 10_000 == 0)
            {
                progress?.Report(written);
            }
        }
        await importer.CompleteAsync(ct);
        progress?.Report(written);
        return written;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, DateTime? value, CancellationToken ct)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(ct);
        }
        else
        {
            await importer.WriteAsync(value.Value, NpgsqlDbType.TimestampTz, ct);
        }
    }

    private static async Task<long> WriteSqliteAsync(SqliteConnection connection, IEnumerable<DemoClient> clients, IProgress<long>? progress, CancellationToken ct)
    {
        // Random phone order makes every index insert a random B-tree walk: a large page cache
        // keeps the indexes in memory (x3 here). WAL + synchronous=NORMAL is still crash-safe.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size = -262144; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO \"Clients\" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))}) " +
                              $"VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i))})";
        var p = Columns.Select((_, i) => command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();

        long written = 0;
        DbTransaction? tx = null;
        try
        {
            foreach (var c in clients)
            {
                if (tx is null)
                {
                    tx = await connection.BeginTransactionAsync(ct);
                    command.Transaction = (SqliteTransaction)tx;
                }
                p[0].Value = c.ExternalId;
                p[1].Value = c.Phone;
                p[2].Value = c.FirstName;
                p[3].Value = c.MiddleName;
                p[4].Value = c.LastName;
                p[5].Value = (int)c.Gender;
                p[6].Value = c.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                p[7].Value = c.Language;
                p[8].Value = c.RegionCode;
                p[9].Value = c.City;
                p[10].Value = c.TimeZone;
                p[11].Value = (int)c.Status;
                p[12].Value = SqliteTime(c.RegisteredAt);
                p[13].Value = (int)c.LoyaltyTier;
                p[14].Value = (double)c.Balance;
                p[15].Value = (double)c.TotalSpend;
                p[16].Value = c.PurchaseCount;
                p[17].Value = SqliteTime(c.LastPurchaseAt);
                p[18].Value = SqliteTime(c.LastActivityAt);
                p[19].Value = c.ServiceConsent;
                p[20].Value = SqliteTime(c.ConsentAt);
                p[21].Value = ConsentSource;
                p[22].Value = c.AdvertisingConsent;
                p[23].Value = SqliteTime(c.ConsentAt);
                p[24].Value = ConsentSource;
                p[25].Value = SqliteTime(c.OptedOutAt);
                p[26].Value = c.OptedOutAt is null ? DBNull.Value : "demo";
                p[27].Value = SqliteTime(c.RegisteredAt);
                p[28].Value = SqliteTime(c.RegisteredAt);
                p[29].Value = c.Tariff;
                p[30].Value = c.Operator;
                // Microsoft.Data.Sqlite's async calls run synchronously anyway; the sync call skips a Task per row.
                command.ExecuteNonQuery();
                if (++written % SqliteBatch == 0)
                {
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                    tx = null;
                    progress?.Report(written);
                }
            }
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            if (tx is not null)
            {
                await tx.DisposeAsync();
            }
        }
        progress?.Report(written);
        return written;
    }

    /// <summary>EF Core's SQLite text format for DateTime, so EF reads and compares these values.</summary>
    private static object SqliteTime(DateTime? value) =>
        value is null ? DBNull.Value : value.Value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}
