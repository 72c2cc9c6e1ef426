using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// The pipeline's set-based statements. The SQL is the same on PostgreSQL and SQLite (quoted
/// identifiers, UPDATE ... FROM a VALUES list, RETURNING); only parameter typing differs.
/// Ids are inlined as integer literals: they come from the database, never from users.
/// </summary>
internal static class DispatchSql
{
    public const int Queued = (int)MessageStatus.Queued;
    public const int Deferred = (int)MessageStatus.Deferred;
    public const int Submitting = (int)MessageStatus.Submitting;

    /// <summary>
    /// Cuts a campaign's messages in <paramref name="where"/> into id ranges of @size, one chunk row each.
    /// <paramref name="claimedAt"/>: a parameter name when the cutter publishes them itself (born claimed, see ChunkPublisher).
    /// </summary>
    public static string CutChunks(string where, string claimedAt = "NULL") => $"""
        INSERT INTO "MessageChunks" ("CampaignId", "FirstMessageId", "LastMessageId", "Count", "Status", "PublishedAt")
        SELECT @campaign, MIN(t."Id"), MAX(t."Id"), COUNT(*), {(int)MessageChunkStatus.Created}, {claimedAt}
        FROM (SELECT "Id", (ROW_NUMBER() OVER (ORDER BY "Id") - 1) / @size AS g
              FROM "Messages" WHERE "CampaignId" = @campaign AND {where}) AS t
        GROUP BY t.g
        """;

    /// <summary>
    /// Runs <paramref name="work"/> again when the database aborted it for a lock conflict. A sender
    /// recording a batch and a receipt batch landing on the same messages lock their rows in
    /// different orders, and PostgreSQL breaks the deadlock by aborting one statement (40P01);
    /// SQLite answers "busy". Both statements are idempotent, so a retry is safe, and losing one
    /// would leave a batch without its provider ids, parts and cost.
    /// </summary>
    public static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> work, CancellationToken ct, int attempts = 6)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (DbException e) when (attempt < attempts && IsConflict(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25 * attempt * attempt), ct);
            }
        }
    }

    public static bool IsConflict(DbException e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
        || e is SqliteException { SqliteErrorCode: 5 or 6 };

    public static string IdList(IEnumerable<long> ids) => string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = 600;
        return command;
    }

    public static void Add(this DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        switch (value)
        {
            case null when p is NpgsqlParameter np:
                np.NpgsqlDbType = NpgsqlDbType.Text;
                break;
            case null:
                p.DbType = DbType.String;
                break;
        }
        command.Parameters.Add(p);
    }

    public static void AddTime(this DbCommand command, string name, DateTime? utc)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = utc is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : DBNull.Value;
        if (p is NpgsqlParameter np) np.NpgsqlDbType = NpgsqlDbType.TimestampTz;
        command.Parameters.Add(p);
    }

    /// <summary>A decimal, typed even when null (a VALUES list's column needs one type on PostgreSQL).</summary>
    public static void AddDecimal(this DbCommand command, string name, decimal? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value is { } v ? v : DBNull.Value;
        if (p is NpgsqlParameter np) np.NpgsqlDbType = NpgsqlDbType.Numeric;
        else p.DbType = DbType.Decimal;
        command.Parameters.Add(p);
    }

    public static void AddInt(this DbCommand command, string name, int? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value is { } v ? v : DBNull.Value;
        p.DbType = DbType.Int32;
        command.Parameters.Add(p);
    }

    /// <summary>
    /// <c>WITH v(cols) AS (VALUES (...), ...) </c> with one parameter per cell, named @{prefix}{row}_{col}.
    /// </summary>
    public static string Values<T>(DbCommand command, string columns, IReadOnlyList<T> rows, Action<DbCommand, T, Func<int, string>> bind)
    {
        var sql = new StringBuilder("WITH v(").Append(columns).Append(") AS (VALUES ");
        var width = columns.Count(c => c == ',') + 1;
        for (var r = 0; r < rows.Count; r++)
        {
            if (r > 0) sql.Append(',');
            sql.Append('(');
            for (var c = 0; c < width; c++)
            {
                if (c > 0) sql.Append(',');
                sql.Append("@v").Append(r).Append('_').Append(c);
            }
            sql.Append(')');
            var row = r;
            bind(command, rows[r], c => $"@v{row}_{c}");
        }
        return sql.Append(") ").ToString();
    }
}
