using System.Globalization;
using Portal.Infrastructure.Importing;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// A source's rows as the import engine reads them: the headers are the mapped columns, in
/// mapping order; each value becomes invariant text for the parser. Tracks the largest
/// watermark seen, which the run stores only after its data committed.
/// </summary>
public abstract class SyncRowSource : ITabularSource, IAsyncDisposable
{
    private IComparable? _max;

    protected SyncRowSource(IReadOnlyList<string> headers) => Headers = headers;

    public IReadOnlyList<string> Headers { get; }
    public double Progress => 0;
    public List<(int Row, string Reason)> BadRows { get; } = [];

    /// <summary>Rows read from the source, the unreadable ones included.</summary>
    public int RowsRead { get; protected set; }

    /// <summary>
    /// Issue 20: a source has no header row, so a row is numbered by its position among the
    /// run's rows (unreadable ones included), the number the run history shows.
    /// </summary>
    public int CurrentRow => RowsRead;

    /// <summary>The largest watermark value seen, as invariant text; null when no row had one.</summary>
    public string? MaxWatermark => _max is null ? null : WatermarkText(_max);

    public abstract IEnumerable<string?[]> Rows();

    public abstract ValueTask DisposeAsync();

    protected void SeeWatermark(IComparable? value)
    {
        if (value is not null && (_max is null || (_max.GetType() == value.GetType() ? value.CompareTo(_max) > 0 : string.CompareOrdinal(WatermarkText(value), WatermarkText(_max)) > 0)))
        {
            _max = value;
        }
    }

    /// <summary>Text the parser understands: ISO dates, invariant numbers, 1/0 for booleans.</summary>
    public static string? Cell(object? value) => value switch
    {
        null or DBNull => null,
        string s => s,
        DateTime d when d.TimeOfDay == TimeSpan.Zero && d.Kind != DateTimeKind.Utc => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        double n => n.ToString("R", CultureInfo.InvariantCulture),
        float n => n.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string[] a => string.Join(';', a),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Full precision, so the next run's <c>&gt; @watermark</c> does not re-read the last row.</summary>
    private static string WatermarkText(IComparable value) => value switch
    {
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        _ => Cell(value) ?? "",
    };
}
