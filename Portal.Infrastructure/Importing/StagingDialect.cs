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
    /// <summary>The staging columns, in load order.</summary>
    public static readonly string[] Columns =
    [
        "row_no", "external_id", "phone", "first_name", "middle_name", "last_name", "gender", "birth_date", "language",
        "region_code", "city", "time_zone", "status", "registered_at", "loyalty_tier", "tariff", "balance", "total_spend",
        "purchase_count", "last_purchase_at", "last_activity_at", "service_consent", "advertising_consent", "tags", "operator", "attrs",
    ];

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

        public override string CreateStageSql => """
            CREATE TEMP TABLE import_stage (row_no int PRIMARY KEY, external_id text, phone text NOT NULL, first_name text,
              middle_name text, last_name text, gender int, birth_date date, language text, region_code text, city text,
              time_zone text, status int, registered_at timestamptz, loyalty_tier int, tariff text, balance numeric,
              total_spend numeric, purchase_count int, last_purchase_at timestamptz, last_activity_at timestamptz,
              service_consent boolean, advertising_consent boolean, tags text, operator text NOT NULL, attrs text);
            CREATE TEMP TABLE import_conflict (row_no int PRIMARY KEY, reason int NOT NULL, other_row int);
            CREATE TEMP TABLE import_existing (row_no int PRIMARY KEY, client_id bigint NOT NULL, old_service boolean, old_advertising boolean);
            """;

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
                await Text(w, c.ExternalId, ct);
                await w.WriteAsync(c.Phone, NpgsqlDbType.Text, ct);
                await Text(w, c.FirstName, ct);
                await Text(w, c.MiddleName, ct);
                await Text(w, c.LastName, ct);
                await Value(w, (int?)c.Gender, NpgsqlDbType.Integer, ct);
                await Value(w, c.BirthDate, NpgsqlDbType.Date, ct);
                await Text(w, c.Language, ct);
                await Text(w, c.RegionCode, ct);
                await Text(w, c.City, ct);
                await Text(w, c.TimeZone, ct);
                await Value(w, (int?)c.Status, NpgsqlDbType.Integer, ct);
                await Value(w, c.RegisteredAt, NpgsqlDbType.TimestampTz, ct);
                await Value(w, (int?)c.LoyaltyTier, NpgsqlDbType.Integer, ct);
                await Text(w, c.Tariff, ct);
                await Value(w, c.Balance, NpgsqlDbType.Numeric, ct);
                await Value(w, c.TotalSpend, NpgsqlDbType.Numeric, ct);
                await Value(w, c.PurchaseCount, NpgsqlDbType.Integer, ct);
                await Value(w, c.LastPurchaseAt, NpgsqlDbType.TimestampTz, ct);
                await Value(w, c.LastActivityAt, NpgsqlDbType.TimestampTz, ct);
                await Value(w, c.ServiceConsent, NpgsqlDbType.Boolean, ct);
                await Value(w, c.AdvertisingConsent, NpgsqlDbType.Boolean, ct);
                await Text(w, TagsJson(c), ct);
                await w.WriteAsync(c.Operator, NpgsqlDbType.Text, ct);
                await Text(w, dialect.AttributesJson(c), ct);
            }

            private static Task Text(NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
                value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, NpgsqlDbType.Text, ct);

            private static Task Value<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
                value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value.Value, type, ct);

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
        public override string CreateStageSql => """
            CREATE TEMP TABLE import_stage (row_no INTEGER PRIMARY KEY, external_id TEXT, phone TEXT NOT NULL, first_name TEXT,
              middle_name TEXT, last_name TEXT, gender INTEGER, birth_date TEXT, language TEXT, region_code TEXT, city TEXT,
              time_zone TEXT, status INTEGER, registered_at TEXT, loyalty_tier INTEGER, tariff TEXT, balance REAL,
              total_spend REAL, purchase_count INTEGER, last_purchase_at TEXT, last_activity_at TEXT,
              service_consent INTEGER, advertising_consent INTEGER, tags TEXT, operator TEXT NOT NULL, attrs TEXT);
            CREATE TEMP TABLE import_conflict (row_no INTEGER PRIMARY KEY, reason INTEGER NOT NULL, other_row INTEGER);
            CREATE TEMP TABLE import_existing (row_no INTEGER PRIMARY KEY, client_id INTEGER NOT NULL, old_service INTEGER, old_advertising INTEGER);
            """;

        public override string ExpandTagsSql =>
            "SELECT s.row_no, j.value AS tag FROM import_stage s, json_each(s.tags) j WHERE s.tags IS NOT NULL";

        public override object Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

        protected override string EachAttribute(string stage) => $"json_each({stage}.attrs) AS a";

        // Dates are staged in the text form EF stores; booleans as 1/0, as EF stores them.
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
                object?[] values =
                [
                    row, c.ExternalId, c.Phone, c.FirstName, c.MiddleName, c.LastName, (int?)c.Gender,
                    c.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.Language, c.RegionCode, c.City, c.TimeZone,
                    (int?)c.Status, T(c.RegisteredAt), (int?)c.LoyaltyTier, c.Tariff, (double?)c.Balance, (double?)c.TotalSpend,
                    c.PurchaseCount, T(c.LastPurchaseAt), T(c.LastActivityAt), c.ServiceConsent, c.AdvertisingConsent, TagsJson(c), c.Operator,
                    _dialect.AttributesJson(c),
                ];
                for (var i = 0; i < values.Length; i++)
                {
                    _p[i].Value = values[i] ?? DBNull.Value;
                }
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

            private object? T(DateTime? value) => value is null ? null : _dialect.Time(value.Value);

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
