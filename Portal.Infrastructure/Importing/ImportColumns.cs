using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Portal.Domain.Imports;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// The client columns an import carries, listed once. The staging table of both databases, the two
/// loaders (PostgreSQL's binary COPY, SQLite's prepared INSERT), the merge's UPDATE of changed rows
/// and its INSERT of new clients are all made from this list: a new client column is one line here.
/// </summary>
internal static class ImportColumns
{
    /// <summary>How EF Core's SQLite provider stores a <see cref="DateTime"/> as text.</summary>
    public const string SqliteTimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    public enum Kind
    {
        Text,
        Integer,
        Date,
        Time,
        Number,
        Boolean,
    }

    /// <summary>
    /// One staged client column: <paramref name="Stage"/> in <c>import_stage</c>, <paramref name="Client"/>
    /// in <c>"Clients"</c>. <paramref name="Field"/> is the file column that fills it: an existing client's
    /// value is replaced only when the file maps that field and the cell is not empty (null: the merge
    /// treats the column itself). <paramref name="NewClient"/> is what a new client gets when the cell
    /// is empty (null: NULL).
    /// </summary>
    public abstract record Column(string Stage, string Client, Kind Kind, ClientField? Field, string? NewClient, bool Required)
    {
        /// <summary>Writes this column of <paramref name="c"/> to a binary COPY row.</summary>
        public abstract Task CopyAsync(NpgsqlBinaryImporter copy, ImportedClient c, CancellationToken ct);

        /// <summary>This column of <paramref name="c"/> as a SQLite parameter value, dates in the text form EF stores.</summary>
        public abstract object? Parameter(ImportedClient c);

        /// <summary>The expression the INSERT of new clients reads from stage row <c>s</c>.</summary>
        public string NewClientSql => NewClient is null ? $"s.{Stage}" : $"COALESCE(s.{Stage}, {NewClient})";
    }

    private sealed record Column<T>(string Stage, string Client, Kind Kind, ClientField? Field, string? NewClient, bool Required, Func<ImportedClient, T> Read)
        : Column(Stage, Client, Kind, Field, NewClient, Required)
    {
        public override Task CopyAsync(NpgsqlBinaryImporter copy, ImportedClient c, CancellationToken ct) =>
            Read(c) is { } value ? copy.WriteAsync(value, CopyType, ct) : copy.WriteNullAsync(ct);

        private NpgsqlDbType CopyType => Kind switch
        {
            Kind.Text => NpgsqlDbType.Text,
            Kind.Integer => NpgsqlDbType.Integer,
            Kind.Date => NpgsqlDbType.Date,
            Kind.Time => NpgsqlDbType.TimestampTz,
            Kind.Number => NpgsqlDbType.Numeric,
            Kind.Boolean => NpgsqlDbType.Boolean,
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
        };

        public override object? Parameter(ImportedClient c) => Read(c) switch
        {
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => t.ToString(SqliteTimeFormat, CultureInfo.InvariantCulture),
            decimal m => (double)m,
            var value => value,
        };
    }

    private static Column<T> Of<T>(string stage, string client, Kind kind, ClientField? field, Func<ImportedClient, T> read, string? newClient = null) =>
        new(stage, client, kind, field, newClient, Required: false, read);

    /// <summary>Every client column, in load order.</summary>
    public static readonly IReadOnlyList<Column> Clients =
    [
        Of("external_id", "ExternalId", Kind.Text, ClientField.ExternalId, c => c.ExternalId),
        new Column<string>("phone", "Phone", Kind.Text, null, null, Required: true, c => c.Phone),
        Of("first_name", "FirstName", Kind.Text, ClientField.FirstName, c => c.FirstName),
        Of("middle_name", "MiddleName", Kind.Text, ClientField.MiddleName, c => c.MiddleName),
        Of("last_name", "LastName", Kind.Text, ClientField.LastName, c => c.LastName),
        Of("gender", "Gender", Kind.Integer, ClientField.Gender, c => (int?)c.Gender, "0"),
        Of("birth_date", "BirthDate", Kind.Date, ClientField.BirthDate, c => c.BirthDate),
        Of("language", "Language", Kind.Text, ClientField.Language, c => c.Language, "'ru'"),
        Of("region_code", "RegionCode", Kind.Text, ClientField.Region, c => c.RegionCode),
        Of("city", "City", Kind.Text, ClientField.City, c => c.City),
        Of("time_zone", "TimeZone", Kind.Text, ClientField.TimeZone, c => c.TimeZone, "'Europe/Moscow'"), // or from the region
        Of("status", "Status", Kind.Integer, ClientField.Status, c => (int?)c.Status, "1"),
        Of("registered_at", "RegisteredAt", Kind.Time, ClientField.RegisteredAt, c => c.RegisteredAt, "@now"),
        Of("loyalty_tier", "LoyaltyTier", Kind.Integer, ClientField.LoyaltyTier, c => (int?)c.LoyaltyTier, "0"),
        Of("tariff", "Tariff", Kind.Text, ClientField.Tariff, c => c.Tariff),
        Of("balance", "Balance", Kind.Number, ClientField.Balance, c => c.Balance, "0"),
        Of("total_spend", "TotalSpend", Kind.Number, ClientField.TotalSpend, c => c.TotalSpend, "0"),
        Of("purchase_count", "PurchaseCount", Kind.Integer, ClientField.PurchaseCount, c => c.PurchaseCount, "0"),
        Of("last_purchase_at", "LastPurchaseAt", Kind.Time, ClientField.LastPurchaseAt, c => c.LastPurchaseAt),
        Of("last_activity_at", "LastActivityAt", Kind.Time, ClientField.LastActivityAt, c => c.LastActivityAt),
        new Column<string>("operator", "Operator", Kind.Text, null, null, Required: true, c => c.Operator),
    ];

    /// <summary>The consents, staged as booleans; the merge records who changed them and when (not a plain copy).</summary>
    public static readonly IReadOnlyList<Column> Consents =
    [
        Of("service_consent", "ServiceConsentGranted", Kind.Boolean, ClientField.ServiceConsent, c => c.ServiceConsent),
        Of("advertising_consent", "AdvertisingConsentGranted", Kind.Boolean, ClientField.AdvertisingConsent, c => c.AdvertisingConsent),
    ];

    /// <summary>The <c>import_stage</c> columns in load order: the row number, the client columns, the consents, then tags and custom attributes as JSON text.</summary>
    public static readonly IReadOnlyList<string> StageColumns =
        ["row_no", .. Clients.Select(c => c.Stage), .. Consents.Select(c => c.Stage), "tags", "attrs"];

    /// <summary><c>CREATE TEMP TABLE import_stage (...)</c> with this database's type for each kind.</summary>
    public static string CreateStageSql(Func<Kind, string> type) =>
        $"CREATE TEMP TABLE import_stage (row_no {type(Kind.Integer)} PRIMARY KEY, " +
        string.Join(", ", Clients.Concat(Consents).Select(c => $"{c.Stage} {type(c.Kind)}{(c.Required ? " NOT NULL" : "")}")) +
        $", tags {type(Kind.Text)}, attrs {type(Kind.Text)});";
}
