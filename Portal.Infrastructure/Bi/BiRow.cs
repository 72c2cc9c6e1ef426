namespace Portal.Infrastructure.Bi;

/// <summary>
/// One row of a dataset in typed slots, reused for every row of a read: the export writers take
/// numbers, times and flags from here without boxing them. With <c>object?[]</c> rows a 1.9 M-row
/// messages export boxed ~15 values per row (~30 M objects) before writing a byte (issue 16,
/// docs/BENCHMARKS.md "BI exports at 1.9 M").
/// </summary>
public sealed class BiRow
{
    private readonly BiType[] _types;
    private readonly bool[] _null;
    // Int32, Int64 and Boolean (0/1) share the integer slot; Timestamp and Date the time slot.
    private readonly long[] _integer;
    private readonly decimal[] _decimal;
    private readonly double[] _double;
    private readonly DateTime[] _time;
    private readonly string?[] _text;

    public BiRow(IReadOnlyList<BiColumn> columns)
    {
        _types = columns.Select(c => c.Type).ToArray();
        var n = _types.Length;
        _null = new bool[n];
        _integer = new long[n];
        _decimal = new decimal[n];
        _double = new double[n];
        _time = new DateTime[n];
        _text = new string?[n];
    }

    public int Count => _types.Length;

    public BiType TypeOf(int i) => _types[i];

    public bool IsNull(int i) => _null[i];
    public long Integer(int i) => _integer[i];
    public bool Boolean(int i) => _integer[i] != 0;
    public decimal Decimal(int i) => _decimal[i];
    public double Double(int i) => _double[i];
    /// <summary>A UTC instant (Timestamp) or a UTC day (Date).</summary>
    public DateTime Time(int i) => _time[i];
    public string? Text(int i) => _text[i];

    public void SetNull(int i) => _null[i] = true;
    public void SetInteger(int i, long value) { _null[i] = false; _integer[i] = value; }
    public void SetDecimal(int i, decimal value) { _null[i] = false; _decimal[i] = value; }
    public void SetDouble(int i, double value) { _null[i] = false; _double[i] = value; }
    public void SetTime(int i, DateTime value) { _null[i] = false; _time[i] = value; }
    public void SetText(int i, string? value) { _null[i] = value is null; _text[i] = value; }

    /// <summary>Stores a value of the column's type (a custom column reader's or a computed dataset's).</summary>
    public void Set(int i, object? value)
    {
        if (value is null)
        {
            SetNull(i);
            return;
        }
        switch (_types[i])
        {
            case BiType.Int32 or BiType.Int64: SetInteger(i, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case BiType.Boolean: SetInteger(i, (bool)value ? 1 : 0); break;
            case BiType.Decimal: SetDecimal(i, (decimal)value); break;
            case BiType.Double: SetDouble(i, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case BiType.Timestamp or BiType.Date: SetTime(i, (DateTime)value); break;
            case BiType.Text: SetText(i, (string)value); break;
            default: throw new ArgumentOutOfRangeException(nameof(i));
        }
    }

    /// <summary>The value boxed as the read API and XLSX take it: int, long, decimal, double, string, bool or DateTime.</summary>
    public object? Value(int i)
    {
        if (_null[i]) return null;
        return _types[i] switch
        {
            BiType.Int32 => (int)_integer[i],
            BiType.Int64 => _integer[i],
            BiType.Boolean => _integer[i] != 0,
            BiType.Decimal => _decimal[i],
            BiType.Double => _double[i],
            BiType.Timestamp or BiType.Date => _time[i],
            BiType.Text => _text[i],
            _ => throw new ArgumentOutOfRangeException(nameof(i)),
        };
    }
}
