using System.Data.Common;

namespace Portal.Infrastructure.Bi;

/// <summary>The column types of every dataset, the same in CSV, XLSX, Parquet and the read API (docs/bi.md).</summary>
public enum BiType
{
    Int32,
    Int64,
    /// <summary>Money and rates: decimal(18,4) in Parquet, invariant "0.0000" text in CSV.</summary>
    Decimal,
    Double,
    Text,
    Boolean,
    /// <summary>UTC instant: Parquet timestamp (millis, adjusted to UTC), ISO 8601 "Z" in CSV.</summary>
    Timestamp,
    /// <summary>A calendar day (UTC): Parquet date, yyyy-MM-dd in CSV.</summary>
    Date,
}

/// <summary>
/// One column of a dataset: its stable name and type and how it is read from the query's row.
/// <see cref="Personal"/> columns are only present for roles with personal data (and then audited).
/// </summary>
public sealed record BiColumn(string Name, BiType Type, string Description, bool Personal = false)
{
    /// <summary>Reads the value from column <c>ordinal</c> of the reader (null for DBNull).</summary>
    internal Func<DbDataReader, int, BiReadContext, object?>? Read { get; init; }
}

/// <summary>What to export: a period (on the dataset's own time column), a department and a campaign.</summary>
public sealed record BiFilter(DateTime? From = null, DateTime? To = null, int? DepartmentId = null, int? CampaignId = null)
{
    /// <summary>The departments the caller may see; null: all (Administrator, Analyst, finance).</summary>
    public IReadOnlyCollection<int>? Departments { get; init; }
}

/// <summary>Per-query state a column reader may use (the pseudonym key, caches of small lookups).</summary>
internal sealed class BiReadContext(ClientPseudonym.Keyed pseudonym, string currency)
{
    /// <summary>This read's own keyed hasher (not thread-safe: one per read).</summary>
    public ClientPseudonym.Keyed Pseudonym { get; } = pseudonym;
    public string Currency { get; } = currency;
    public Dictionary<int, string> Encodings { get; } = [];
}

public enum BiFormat
{
    Csv,
    Xlsx,
    Parquet,
}

public static class BiFormats
{
    public static string Extension(BiFormat f) => f switch
    {
        BiFormat.Csv => "csv",
        BiFormat.Xlsx => "xlsx",
        BiFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    public static string ContentType(BiFormat f) => f switch
    {
        BiFormat.Csv => "text/csv; charset=utf-8",
        BiFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        BiFormat.Parquet => "application/vnd.apache.parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };
}
