using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Portal.Infrastructure.Bi;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 16, the 1.9 M-row export speed work: the CSV writer formats cells straight into UTF-8 bytes
/// and the pseudonym reuses one keyed HMAC per read. The bytes must stay those of docs/bi.md, which
/// the first writer produced with .NET's format strings through a StreamWriter: each test compares
/// with that reference (kept here) over fixed edge cases and many random values.
/// </summary>
public sealed class BiCsvTests
{
    private static readonly IReadOnlyList<BiColumn> Columns =
    [
        new("id", BiType.Int64, ""), new("n", BiType.Int32, ""), new("amount", BiType.Decimal, ""), new("rate", BiType.Double, ""),
        new("name", BiType.Text, ""), new("flag", BiType.Boolean, ""), new("at", BiType.Timestamp, ""), new("day", BiType.Date, ""),
    ];

    private static readonly object?[][] EdgeRows =
    [
        [long.MaxValue, int.MinValue, -12.5m, 0.1 + 0.2, "plain", true, new DateTime(2026, 12, 3, 9, 5, 7, 999, DateTimeKind.Utc).AddTicks(9999), new DateTime(2026, 1, 9)],
        [0L, 0, 0m, double.NaN, "a,b", false, new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(999, 12, 31)],
        [-1L, 7, 1234567.1234m, -1e-300, "say \"hi\"", null, DateTime.MaxValue, DateTime.MinValue],
        [null, null, null, null, null, null, null, null],
        [42L, 1, 0.0001m, double.MaxValue, "=HYPERLINK(\"http://evil\",\"x\")", true, new DateTime(2026, 2, 28, 23, 59, 59, 5, DateTimeKind.Utc), new DateTime(2024, 2, 29)],
        [1L, 2, 99999999999999.9999m, 1.5, "-2", false, new DateTime(2026, 6, 1, 12, 0, 0, 50, DateTimeKind.Utc), new DateTime(2026, 6, 1)],
        [2L, 3, -0.0001m, 2.0, "Привет, мир 👋", true, new DateTime(2000, 10, 10, 10, 10, 10, 100, DateTimeKind.Utc), new DateTime(2000, 10, 10)],
        [3L, 4, 5m, 3.25, "line\r\nbreak", true, DateTime.UnixEpoch, DateTime.UnixEpoch],
        [4L, 5, 6m, 4.0, "\tlead tab", false, DateTime.UnixEpoch, DateTime.UnixEpoch],
        [5L, 6, 7m, 5.0, "lone \ud83d surrogate", false, DateTime.UnixEpoch, DateTime.UnixEpoch],
        [6L, 7, 8m, 6.0, "", false, DateTime.UnixEpoch, DateTime.UnixEpoch],
        [7L, 8, 9m, 7.0, "@mention +7 900", false, DateTime.UnixEpoch, DateTime.UnixEpoch],
    ];

    [Fact]
    public async Task Csv_EdgeCases_AreByteForByteTheReferenceFormat_WithAndWithoutBom()
    {
        foreach (var bom in new[] { false, true })
        {
            var actual = await WriteAsync(EdgeRows, bom);
            Assert.Equal(Reference(EdgeRows, bom), actual);
        }
        var text = Encoding.UTF8.GetString(await WriteAsync(EdgeRows, bom: false));
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",", text, StringComparison.Ordinal);
        Assert.Contains(",2026-12-03T09:05:07.999Z,2026-01-09\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\n,,,,,,,\r\n", text, StringComparison.Ordinal);
        Assert.Contains(",-12.5000,", text, StringComparison.Ordinal);
        Assert.Contains("lone \uFFFD surrogate", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_RandomValues_AreByteForByteTheReferenceFormat()
    {
        var random = new Random(20261203);
        var rows = new object?[20_000][];
        var letters = "abcя,\"=+-@\t\r\n é😀".ToCharArray();
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] =
            [
                random.NextInt64(long.MinValue, long.MaxValue),
                random.Next(int.MinValue, int.MaxValue),
                Math.Round((decimal)random.NextInt64(-100_000_000_000_000, 100_000_000_000_000) / 10_000m * (decimal)random.NextDouble(), 4),
                (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20)),
                new string(Enumerable.Range(0, random.Next(0, 12)).Select(_ => letters[random.Next(letters.Length)]).ToArray()),
                random.Next(2) == 0,
                new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc),
                new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks)).Date,
            ];
            if (random.Next(10) == 0) rows[r][random.Next(8)] = null;
        }
        Assert.Equal(Reference(rows, bom: false), await WriteAsync(rows, bom: false));
    }

    [Fact]
    public void Pseudonym_OneKeyedHasherForManyRows_GivesEachClientTheOneShotHmacKey()
    {
        var pseudonym = new ClientPseudonym(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        using var keyed = pseudonym.Hasher();
        // Pinned with Python's hmac.new(bytes(range(32)), struct.pack('>q', id), sha256).hexdigest()[:32].
        Assert.Equal("c432e059c378eef7fe2f1181a4050836", keyed.Of(1));
        Assert.Equal("6320ce8333096d3e5134668cf8fbdc8f", keyed.Of(1_900_000));
        Assert.Equal("fe4e7eb21ebbd685876bacd7691b9b83", keyed.Of(-5));
        // The state is reset after every id: the 10,000th key is still the one-shot key of that id.
        for (long id = 0; id < 10_000; id++)
        {
            Assert.Equal(pseudonym.Of(id), keyed.Of(id));
        }
        Assert.Equal("c432e059c378eef7fe2f1181a4050836", keyed.Of(1));
    }

    private static async Task<byte[]> WriteAsync(object?[][] rows, bool bom)
    {
        using var stream = new MemoryStream();
        var written = await BiWriter.WriteAsync(stream, BiFormat.Csv, Columns, Rows(rows), new BiWriteOptions(Bom: bom), null, CancellationToken.None);
        Assert.Equal(rows.Length, written);
        return stream.ToArray();
    }

    private static async IAsyncEnumerable<BiRow> Rows(object?[][] rows, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var row = new BiRow(Columns);
        foreach (var values in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < values.Length; i++) row.Set(i, values[i]);
            yield return row;
            await Task.Yield();
        }
    }

    /// <summary>The first CSV writer (until 2026-12-03): format strings into a StringBuilder, a StreamWriter for UTF-8.</summary>
    private static byte[] Reference(object?[][] rows, bool bom)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(bom), 1 << 16, leaveOpen: true) { NewLine = "\r\n" })
        {
            var line = new StringBuilder();
            line.AppendJoin(',', Columns.Select(c => c.Name)).Append("\r\n");
            foreach (var row in rows)
            {
                for (var i = 0; i < Columns.Count; i++)
                {
                    if (i > 0) line.Append(',');
                    switch (row[i])
                    {
                        case null: break;
                        case string s: ReferenceText(line, s); break;
                        case DateTime d: line.Append(Columns[i].Type == BiType.Date ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)); break;
                        case bool b: line.Append(b ? "true" : "false"); break;
                        case decimal m: line.Append(m.ToString("0.0000", CultureInfo.InvariantCulture)); break;
                        case double x: line.Append(x.ToString("R", CultureInfo.InvariantCulture)); break;
                        case IFormattable f: line.Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
                    }
                }
                line.Append("\r\n");
            }
            writer.Write(line);
        }
        return stream.ToArray();
    }

    private static void ReferenceText(StringBuilder sb, string s)
    {
        var formula = s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (!formula && s.IndexOfAny([',', '"', '\r', '\n']) < 0)
        {
            sb.Append(s);
            return;
        }
        sb.Append('"');
        if (formula) sb.Append('\'');
        foreach (var c in s)
        {
            if (c == '"') sb.Append('"');
            sb.Append(c);
        }
        sb.Append('"');
    }
}
