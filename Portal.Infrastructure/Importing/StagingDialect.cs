using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Portal.Domain.Imports;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// What differs between PostgreSQL and SQLite for an import: the staging table's types, how
/// rows reach it (binary COPY vs a prepared INSERT) and how a JSON list of tags is expanded.
/// The merge SQL itself is shared (<see cref="ClientImporter"/>).
/// </summary>
internal abstract class StagingDialect
{
    /// <summary>The staging columns, in load order (<see cref="ImportColumns"/>).</summary>
    public static IReadOnlyList<string> Columns => ImportColumns.StageColumns;

    /// <summary>The tables an import works in; only the column types differ between the databases.</summary>
    protected static string CreateTablesSql(Func<ImportColumns.Kind, string> type, string clientId) => $"""
        {ImportColumns.CreateStageSql(type)}
        CREATE TEMP TABLE import_conflict (row_no {type(ImportColumns.Kind.Integer)} PRIMARY KEY, reason {type(ImportColumns.Kind.Integer)} NOT NULL, other_row {type(ImportColumns.Kind.Integer)});
        CREATE TEMP TABLE import_existing (row_no {type(ImportColumns.Kind.Integer)} PRIMARY KEY, client_id {clientId} NOT NULL, old_service {type(ImportColumns.Kind.Boolean)}, old_advertising {type(ImportColumns.Kind.Boolean)});
        """;

    public static StagingDialect For(DbConnection connection) => connection switch
    {
        NpgsqlConnection => new PostgresStaging(),
        SqliteConnection => new SqliteStaging(),
        _ => throw new NotSupportedException($"Imports do not support {connection.GetType().Name}."),
    };

    public abstract string CreateStageSql { get; }

    /// <summary>Whether INSERT ... RETURNING can feed further inserts in one statement (a data-modifying CTE).</summary>
    public virtual bool SupportsDmlInCte => false;

    /// <summary>Session settings for a big import, before any temp table exists.</summary>
    public virtual Task PrepareSessionAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>SQL yielding (row_no, tag) for every tag of every staged row.</summary>
    public abstract string ExpandTagsSql { get; }

    /// <summary>A UTC time as this provider stores it.</summary>
    public abstract object Time(DateTime utc);

    public abstract StageWriter OpenWriter(DbConnection connection);

    protected static string? TagsJson(ImportedClient c) => c.Tags is null ? null : JsonSerializer.Serialize(c.Tags);

    /// <summary>
    /// Custom attribute values (issue 20) as a JSON object, definition id → value as text this
    /// provider casts back (<see cref="AttributeRowsSql"/>); a file maps only a few attributes, so one
    /// text column serves any number of them.
    /// </summary>
    protected string? AttributesJson(ImportedClient c) => c.Attributes is null ? null : JsonSerializer.Serialize(
        c.Attributes.ToDictionary(a => a.Key.ToString(CultureInfo.InvariantCulture), a => a.Value switch
        {
            { Text: { } t } => t,
            { Number: { } n } => n.ToString(CultureInfo.InvariantCulture),
            { Date: { } d } => Time(d) is string text ? text : d.ToString("O", CultureInfo.InvariantCulture),
            { Boolean: { } b } => b ? "1" : "0",
            _ => null,
        }));

    /// <summary>Table expression over <c>{stage}.attrs</c> naming each pair <c>a(key, value)</c>: correlates with the stage alias.</summary>
    protected abstract string EachAttribute(string stage);

    /// <summary>Casts of the JSON's text values to the attribute columns' types.</summary>
    protected abstract (string Number, string Date, string Boolean, string Id) Casts { get; }

    /// <summary>
    /// Each attribute value of stage row <paramref name="stage"/> with its definition <c>d</c>:
    /// <c>FROM {this} WHERE ...</c>, correlated with the stage alias (SQLite has no LATERAL, but a
    /// table-valued function in a subquery may read the outer row).
    /// </summary>
    public string AttributesOf(string stage)
    {
        var (_, _, _, id) = Casts;
        return $"{EachAttribute(stage)} JOIN \"AttributeDefinitions\" d ON d.\"Id\" = {string.Format(id, "a.key")}";
    }

    /// <summary>The typed value columns of <see cref="AttributesOf"/>'s rows: one is set, by the definition's type.</summary>
    public (string Text, string Number, string Date, string Boolean) AttributeValueSql
    {
        get
        {
            var (number, date, boolean, _) = Casts;
            string When(Domain.Clients.AttributeType type, string value) => $"CASE WHEN d.\"Type\" = {(int)type} THEN {value} END";
            return (When(Domain.Clients.AttributeType.Text, "a.value"), When(Domain.Clients.AttributeType.Number, string.Format(number, "a.value")),
                When(Domain.Clients.AttributeType.Date, string.Format(date, "a.value")), When(Domain.Clients.AttributeType.Boolean, string.Format(boolean, "a.value")));
        }
    }

    public abstract class StageWriter : IAsyncDisposable
    {
        public abstract ValueTask WriteAsync(int row, ImportedClient c, CancellationToken ct);
        public abstract ValueTask CompleteAsync(CancellationToken ct);
        public abstract ValueTask DisposeAsync();
    }

    private sealed class PostgresStaging : StagingDialect
    {
        // temp_buffers (default 8 MB) can only be raised before the session's first temp table: a
        // 1.9 M-row stage spilling through the tiny local buffer pool was most of the reading phase.
        // A pooled session that already used temp tables refuses the change; it then runs slower, not wrong.
        public override bool SupportsDmlInCte => true;

        public override async Task PrepareSessionAsync(DbConnection connection, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SET temp_buffers = '512MB'";
            try
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidParameterValue || e.SqlState == PostgresErrorCodes.CantChangeRuntimeParam)
            {
            }
        }

        public override string CreateStageSql => CreateTablesSql(kind => kind switch
        {
            ImportColumns.Kind.Integer => "int",
            ImportColumns.Kind.Date => "date",
            ImportColumns.Kind.Time => "timestamptz",
            ImportColumns.Kind.Number => "numeric",
            ImportColumns.Kind.Boolean => "boolean",
            _ => "text",
        }, clientId: "bigint");

        public override string ExpandTagsSql =>
            "SELECT s.row_no, t.value AS tag FROM import_stage s CROSS JOIN LATERAL jsonb_array_elements_text(s.tags::jsonb) AS t(value) WHERE s.tags IS NOT NULL";

        public override object Time(DateTime utc) => utc;

        protected override string EachAttribute(string stage) => $"jsonb_each_text({stage}.attrs::jsonb) AS a(key, value)";

        protected override (string Number, string Date, string Boolean, string Id) Casts => ("{0}::numeric", "{0}::timestamptz", "{0}::boolean", "{0}::int");

        public override StageWriter OpenWriter(DbConnection connection) => new CopyWriter((NpgsqlConnection)connection, this);

        private sealed class CopyWriter(NpgsqlConnection connection, PostgresStaging dialect) : StageWriter
        {
            private NpgsqlBinaryImporter? _copy;

            public override async ValueTask WriteAsync(int row, ImportedClient c, CancellationToken ct)
            {
                _copy ??= await connection.BeginBinaryImportAsync(
                    $"COPY import_stage ({string.Join(", ", Columns)}) FROM STDIN (FORMAT BINARY)", ct);
                var w = _copy;
                await w.StartRowAsync(ct);
                await w.WriteAsync(row, NpgsqlDbType.Integer, ct);
                foreach (var column in ImportColumns.Clients)
                {
                    await column.CopyAsync(w, c, ct);
                }
                foreach (var column in ImportColumns.Consents)
                {
                    await column.CopyAsync(w, c, ct);
                }
                await Text(w, TagsJson(c), ct);
                await Text(w, dialect.AttributesJson(c), ct);
            }

            private static Task Text(NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
                value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, NpgsqlDbType.Text, ct);

            public override async ValueTask CompleteAsync(CancellationToken ct)
            {
                if (_copy is not null)
                {
                    await _copy.CompleteAsync(ct);
                    await _copy.DisposeAsync();
                    _copy = null;
                }
            }

            public override async ValueTask DisposeAsync()
            {
                if (_copy is not null)
                {
                    await _copy.DisposeAsync();
                }
            }
        }
    }

    private sealed class SqliteStaging : StagingDialect
    {
        // Dates and times in the text form EF stores, numbers as REAL, booleans as 1/0, as EF stores them.
        public override string CreateStageSql => CreateTablesSql(kind => kind switch
        {
            ImportColumns.Kind.Integer or ImportColumns.Kind.Boolean => "INTEGER",
            ImportColumns.Kind.Number => "REAL",
            _ => "TEXT",
        }, clientId: "INTEGER");

        public override string ExpandTagsSql =>
            "SELECT s.row_no, j.value AS tag FROM import_stage s, json_each(s.tags) j WHERE s.tags IS NOT NULL";

        public override object Time(DateTime utc) => utc.ToString(ImportColumns.SqliteTimeFormat, CultureInfo.InvariantCulture);

        protected override string EachAttribute(string stage) => $"json_each({stage}.attrs) AS a";

        protected override (string Number, string Date, string Boolean, string Id) Casts => ("CAST({0} AS REAL)", "{0}", "CAST({0} AS INTEGER)", "CAST({0} AS INTEGER)");

        public override StageWriter OpenWriter(DbConnection connection) => new InsertWriter((SqliteConnection)connection, this);

        /// <summary>One prepared INSERT, committed every 50,000 rows: temp tables do not lock the main database.</summary>
        private sealed class InsertWriter : StageWriter
        {
            private readonly SqliteConnection _connection;
            private readonly SqliteStaging _dialect;
            private readonly SqliteCommand _insert;
            private readonly SqliteParameter[] _p;
            private SqliteTransaction? _tx;
            private int _pending;

            public InsertWriter(SqliteConnection connection, SqliteStaging dialect)
            {
                _connection = connection;
                _dialect = dialect;
                _insert = connection.CreateCommand();
                _insert.CommandText = $"INSERT INTO import_stage ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i))})";
                _p = Columns.Select((_, i) => _insert.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();
            }

            public override ValueTask WriteAsync(int row, ImportedClient c, CancellationToken ct)
            {
                if (_tx is null)
                {
                    _tx = _connection.BeginTransaction();
                    _insert.Transaction = _tx;
                }
                var p = 0;
                _p[p++].Value = row;
                foreach (var column in ImportColumns.Clients)
                {
                    _p[p++].Value = column.Parameter(c) ?? DBNull.Value;
                }
                foreach (var column in ImportColumns.Consents)
                {
                    _p[p++].Value = column.Parameter(c) ?? DBNull.Value;
                }
                _p[p++].Value = (object?)TagsJson(c) ?? DBNull.Value;
                _p[p].Value = (object?)_dialect.AttributesJson(c) ?? DBNull.Value;
                _insert.ExecuteNonQuery();
                if (++_pending == 50_000)
                {
                    _tx.Commit();
                    _tx.Dispose();
                    _tx = null;
                    _pending = 0;
                }
                return ValueTask.CompletedTask;
            }

            public override ValueTask CompleteAsync(CancellationToken ct)
            {
                _tx?.Commit();
                _tx?.Dispose();
                _tx = null;
                return ValueTask.CompletedTask;
            }

            public override ValueTask DisposeAsync()
            {
                _tx?.Dispose();
                _insert.Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
