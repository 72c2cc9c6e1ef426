using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Parquet;
using Parquet.Schema;

namespace Portal.Infrastructure.Bi;

/// <summary>How a file is written.</summary>
/// <param name="Compress">Snappy for Parquet pages, deflate for XLSX parts; off only for tests that read raw bytes.</param>
public sealed record BiWriteOptions(bool Bom = false, int ParquetRowGroup = 100_000, bool Compress = true);

/// <summary>
/// Writes streamed rows as CSV, XLSX or Parquet. Memory is bounded by one row (CSV, XLSX) or one
/// row group (Parquet), never by the row count. Returns the number of rows written.
/// </summary>
public static class BiWriter
{
    public static Task<long> WriteAsync(Stream output, BiFormat format, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<object?[]> rows,
        BiWriteOptions options, IProgress<long>? progress, CancellationToken ct) => format switch
    {
        BiFormat.Csv => CsvAsync(output, columns, rows, options, progress, ct),
        BiFormat.Xlsx => XlsxAsync(output, columns, rows, options, progress, ct),
        BiFormat.Parquet => ParquetAsync(output, columns, rows, options, progress, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private const int ProgressEvery = 10_000;

    // ---- CSV (RFC 4180) ----------------------------------------------------------------------

    private static async Task<long> CsvAsync(Stream output, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<object?[]> rows, BiWriteOptions options,
        IProgress<long>? progress, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(options.Bom), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder(512);
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0) line.Append(',');
            AppendCsvText(line, columns[i].Name);
        }
        await writer.WriteAsync(line.Append("\r\n"), ct);
        long n = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            line.Clear();
            for (var i = 0; i < columns.Count; i++)
            {
                if (i > 0) line.Append(',');
                AppendCsv(line, columns[i].Type, row[i]);
            }
            line.Append("\r\n");
            await writer.WriteAsync(line, ct);
            if (++n % ProgressEvery == 0) progress?.Report(n);
        }
        await writer.FlushAsync(ct);
        progress?.Report(n);
        return n;
    }

    internal static void AppendCsv(StringBuilder sb, BiType type, object? value)
    {
        switch (value)
        {
            case null: return;
            case string s: AppendCsvText(sb, s); return;
            case DateTime d: sb.Append(type == BiType.Date ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case decimal m: sb.Append(m.ToString("0.0000", CultureInfo.InvariantCulture)); return;
            case double x: sb.Append(x.ToString("R", CultureInfo.InvariantCulture)); return;
            case IFormattable f: sb.Append(f.ToString(null, CultureInfo.InvariantCulture)); return;
            default: AppendCsvText(sb, value.ToString() ?? ""); return;
        }
    }

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary>
    /// A text cell. A cell a spreadsheet would read as a formula (= + - @, or a tab or CR first: OWASP
    /// "CSV injection") gets a leading apostrophe, so a hostile client name never runs in Excel.
    /// </summary>
    internal static void AppendCsvText(StringBuilder sb, string s)
    {
        var formula = s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (!formula && s.AsSpan().IndexOfAny(NeedsQuotes) < 0)
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

    // ---- XLSX (Office Open XML, streamed) -------------------------------------------------------

    /// <summary>Excel's row limit per sheet (header included): longer exports continue on the next sheet.</summary>
    internal const int XlsxRowsPerSheet = 1_048_576 - 1;

    private static async Task<long> XlsxAsync(Stream output, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<object?[]> rows, BiWriteOptions options,
        IProgress<long>? progress, CancellationToken ct)
    {
        // The sheet XML is written element by element into the zip entry's deflate stream, so a
        // million-row sheet never exists in memory (a DOM or shared-strings table would).
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var settings = new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false) };
        long n = 0;
        var sheets = 0;
        XmlWriter? sheet = null;
        Stream? entry = null;
        var inSheet = 0;
        async Task OpenSheetAsync()
        {
            sheets++;
            entry = await zip.CreateEntry($"xl/worksheets/sheet{sheets}.xml", options.Compress ? CompressionLevel.Fastest : CompressionLevel.NoCompression).OpenAsync(ct);
            sheet = XmlWriter.Create(entry, settings);
            await sheet.WriteStartDocumentAsync(true);
            sheet.WriteStartElement("worksheet", Ns);
            sheet.WriteStartElement("sheetData", Ns);
            sheet.WriteStartElement("row", Ns);
            foreach (var c in columns) XlsxText(sheet, c.Name);
            sheet.WriteEndElement();
            inSheet = 0;
        }
        async Task CloseSheetAsync()
        {
            sheet!.WriteEndElement();
            sheet.WriteEndElement();
            await sheet.WriteEndDocumentAsync();
            await sheet.FlushAsync();
            sheet.Dispose();
            await entry!.DisposeAsync();
        }

        await OpenSheetAsync();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (inSheet == XlsxRowsPerSheet)
            {
                await CloseSheetAsync();
                await OpenSheetAsync();
            }
            sheet!.WriteStartElement("row", Ns);
            for (var i = 0; i < columns.Count; i++)
            {
                XlsxCell(sheet, columns[i].Type, row[i]);
            }
            sheet.WriteEndElement();
            inSheet++;
            if (++n % ProgressEvery == 0)
            {
                await sheet.FlushAsync();
                progress?.Report(n);
            }
        }
        await CloseSheetAsync();

        await WriteEntryAsync(zip, "[Content_Types].xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))}</Types>
            """, ct);
        await WriteEntryAsync(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """, ct);
        await WriteEntryAsync(zip, "xl/workbook.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="{Ns}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<sheet name=\"data{(i == 1 ? "" : i.ToString(CultureInfo.InvariantCulture))}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>"))}</sheets></workbook>
            """, ct);
        await WriteEntryAsync(zip, "xl/_rels/workbook.xml.rels", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))}<Relationship Id="rId{sheets + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """, ct);
        // Style 1: date and time; style 2: date. Excel stores both as serial numbers.
        await WriteEntryAsync(zip, "xl/styles.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="{Ns}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/></cellXfs></styleSheet>
            """, ct);
        progress?.Report(n);
        return n;
    }

    private const string Ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static async Task WriteEntryAsync(ZipArchive zip, string name, string content, CancellationToken ct)
    {
        await using var s = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(ct);
        var bytes = Encoding.UTF8.GetBytes(content.Trim());
        await s.WriteAsync(bytes, ct);
    }

    private static void XlsxCell(XmlWriter w, BiType type, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteStartElement("c", Ns);
                w.WriteEndElement();
                return;
            case string s:
                XlsxText(w, s);
                return;
            case bool b:
                w.WriteStartElement("c", Ns);
                w.WriteAttributeString("t", "b");
                w.WriteElementString("v", Ns, b ? "1" : "0");
                w.WriteEndElement();
                return;
            case DateTime d:
                w.WriteStartElement("c", Ns);
                w.WriteAttributeString("s", type == BiType.Date ? "2" : "1");
                w.WriteElementString("v", Ns, d.ToOADate().ToString("R", CultureInfo.InvariantCulture));
                w.WriteEndElement();
                return;
            default:
                w.WriteStartElement("c", Ns);
                w.WriteElementString("v", Ns, value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString());
                w.WriteEndElement();
                return;
        }
    }

    /// <summary>An inline string: never a formula, whatever it starts with. Characters XML cannot carry are dropped.</summary>
    private static void XlsxText(XmlWriter w, string s)
    {
        w.WriteStartElement("c", Ns);
        w.WriteAttributeString("t", "inlineStr");
        w.WriteStartElement("is", Ns);
        w.WriteStartElement("t", Ns);
        if (s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])))
        {
            w.WriteAttributeString("xml", "space", null, "preserve");
        }
        w.WriteString(XmlSafe(s));
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static string XmlSafe(string s)
    {
        foreach (var c in s)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c)) return new string(s.Where(x => XmlConvert.IsXmlChar(x) || char.IsSurrogate(x)).ToArray());
        }
        return s;
    }

    // ---- Apache Parquet ------------------------------------------------------------------------

    internal static DataField Field(BiColumn c) => c.Type switch
    {
        BiType.Int32 => new DataField<int?>(c.Name),
        BiType.Int64 => new DataField<long?>(c.Name),
        BiType.Decimal => new DecimalDataField(c.Name, 18, 4, false, true),
        BiType.Double => new DataField<double?>(c.Name),
        BiType.Text => new DataField<string>(c.Name, true),
        BiType.Boolean => new DataField<bool?>(c.Name),
        BiType.Timestamp => new DateTimeDataField(c.Name, DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Millis, true),
        BiType.Date => new DateTimeDataField(c.Name, DateTimeFormat.Date, true, null, true),
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    private static async Task<long> ParquetAsync(Stream output, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<object?[]> rows, BiWriteOptions options,
        IProgress<long>? progress, CancellationToken ct)
    {
        var fields = columns.Select(Field).ToArray();
        var groupSize = options.ParquetRowGroup;
        // One row group of column buffers at a time: memory is bounded by the group, not the file.
        var buffers = columns.Select(c => Buffer(c.Type, groupSize)).ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), output, new ParquetOptions { CompressionMethod = options.Compress ? CompressionMethod.Snappy : CompressionMethod.None }, false, ct);
        var inGroup = 0;
        long n = 0;
        async Task FlushAsync()
        {
            if (inGroup == 0) return;
            using var group = writer.CreateRowGroup();
            for (var i = 0; i < fields.Length; i++)
            {
                await WriteColumnAsync(group, fields[i], columns[i].Type, buffers[i], inGroup, ct);
            }
            group.CompleteValidate();
            inGroup = 0;
            progress?.Report(n);
        }
        await foreach (var row in rows.WithCancellation(ct))
        {
            for (var i = 0; i < fields.Length; i++)
            {
                Set(buffers[i], columns[i].Type, inGroup, row[i]);
            }
            inGroup++;
            n++;
            if (inGroup == groupSize) await FlushAsync();
        }
        await FlushAsync();
        return n;
    }

    private static Array Buffer(BiType type, int size) => type switch
    {
        BiType.Int32 => new int?[size],
        BiType.Int64 => new long?[size],
        BiType.Decimal => new decimal?[size],
        BiType.Double => new double?[size],
        BiType.Text => new string?[size],
        BiType.Boolean => new bool?[size],
        BiType.Timestamp or BiType.Date => new DateTime?[size],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static void Set(Array buffer, BiType type, int i, object? value)
    {
        switch (type)
        {
            case BiType.Int32: ((int?[])buffer)[i] = (int?)value; break;
            case BiType.Int64: ((long?[])buffer)[i] = value is null ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture); break;
            case BiType.Decimal: ((decimal?[])buffer)[i] = (decimal?)value; break;
            case BiType.Double: ((double?[])buffer)[i] = value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture); break;
            case BiType.Text: ((string?[])buffer)[i] = (string?)value; break;
            case BiType.Boolean: ((bool?[])buffer)[i] = (bool?)value; break;
            case BiType.Timestamp or BiType.Date: ((DateTime?[])buffer)[i] = (DateTime?)value; break;
        }
    }

    private static async Task WriteColumnAsync(ParquetRowGroupWriter group, DataField field, BiType type, Array buffer, int count, CancellationToken ct)
    {
        switch (type)
        {
            case BiType.Int32: await group.WriteAsync(field, new ReadOnlyMemory<int?>((int?[])buffer, 0, count), null, null, ct); break;
            case BiType.Int64: await group.WriteAsync(field, new ReadOnlyMemory<long?>((long?[])buffer, 0, count), null, null, ct); break;
            case BiType.Decimal: await group.WriteAsync(field, new ReadOnlyMemory<decimal?>((decimal?[])buffer, 0, count), null, null, ct); break;
            case BiType.Double: await group.WriteAsync(field, new ReadOnlyMemory<double?>((double?[])buffer, 0, count), null, null, ct); break;
            case BiType.Boolean: await group.WriteAsync(field, new ReadOnlyMemory<bool?>((bool?[])buffer, 0, count), null, null, ct); break;
            case BiType.Timestamp or BiType.Date: await group.WriteAsync(field, new ReadOnlyMemory<DateTime?>((DateTime?[])buffer, 0, count), null, null, ct); break;
            case BiType.Text:
                var strings = (string?[])buffer;
                await group.WriteAsync(field, new ArraySegment<string>(strings!, 0, count), null);
                break;
        }
    }
}
