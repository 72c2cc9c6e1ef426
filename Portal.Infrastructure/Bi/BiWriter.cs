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
public sealed record BiWriteOptions(bool Bom = false, int ParquetRowGroup = 25_000, bool Compress = true);

/// <summary>
/// Writes streamed rows as CSV, XLSX or Parquet. Memory is bounded by one row (CSV, XLSX) or one
/// row group (Parquet), never by the row count. Returns the number of rows written.
/// </summary>
public static class BiWriter
{
    public static Task<long> WriteAsync(Stream output, BiFormat format, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<BiRow> rows,
        BiWriteOptions options, IProgress<long>? progress, CancellationToken ct) => format switch
    {
        BiFormat.Csv => CsvAsync(output, columns, rows, options, progress, ct),
        BiFormat.Xlsx => XlsxAsync(output, columns, rows, options, progress, ct),
        BiFormat.Parquet => ParquetAsync(output, columns, rows, options, progress, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private const int ProgressEvery = 10_000;

    // ---- CSV (RFC 4180) ----------------------------------------------------------------------

    private static async Task<long> CsvAsync(Stream output, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<BiRow> rows, BiWriteOptions options,
        IProgress<long>? progress, CancellationToken ct)
    {
        // Cells are formatted straight into a UTF-8 byte buffer (no string per cell, no char-to-byte
        // pass of a StreamWriter); the buffer goes to the stream once it holds ~64 KB.
        var csv = new CsvBuffer();
        if (options.Bom && (!output.CanSeek || output.Position == 0)) csv.Bom();
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0) csv.Comma();
            csv.Text(columns[i].Name);
        }
        csv.LineEnd();
        long n = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (i > 0) csv.Comma();
                csv.Cell(row, i);
            }
            csv.LineEnd();
            if (csv.Full) await csv.FlushToAsync(output, ct);
            if (++n % ProgressEvery == 0) progress?.Report(n);
        }
        await csv.FlushToAsync(output, ct);
        await output.FlushAsync(ct);
        progress?.Report(n);
        return n;
    }

    /// <summary>
    /// The bytes of a CSV file as docs/bi.md defines them: invariant numbers, decimals as 0.0000, doubles
    /// round-trip, times yyyy-MM-ddTHH:mm:ss.fffZ, days yyyy-MM-dd, true/false, null as an empty field,
    /// text formula-safe and quoted per RFC 4180, UTF-8 (lone surrogates become U+FFFD), CRLF.
    /// </summary>
    internal sealed class CsvBuffer
    {
        private const int FlushAt = 1 << 16;
        private byte[] _bytes = new byte[FlushAt + 4096];
        private int _used;

        public bool Full => _used >= FlushAt;

        public async ValueTask FlushToAsync(Stream output, CancellationToken ct)
        {
            if (_used == 0) return;
            await output.WriteAsync(_bytes.AsMemory(0, _used), ct);
            _used = 0;
        }

        private Span<byte> Free(int atLeast)
        {
            if (_bytes.Length - _used < atLeast) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + atLeast));
            return _bytes.AsSpan(_used);
        }

        private void Byte(byte b)
        {
            Free(1)[0] = b;
            _used++;
        }

        public void Bom() { Byte(0xEF); Byte(0xBB); Byte(0xBF); }
        public void Comma() => Byte((byte)',');
        public void LineEnd() { Byte((byte)'\r'); Byte((byte)'\n'); }

        public void Cell(BiRow row, int i)
        {
            if (row.IsNull(i)) return;
            switch (row.TypeOf(i))
            {
                case BiType.Int32 or BiType.Int64: Integer(row.Integer(i)); return;
                case BiType.Boolean: Ascii(row.Boolean(i) ? "true"u8 : "false"u8); return;
                case BiType.Decimal: Decimal(row.Decimal(i)); return;
                case BiType.Double: Double(row.Double(i)); return;
                case BiType.Timestamp: Timestamp(row.Time(i)); return;
                case BiType.Date: Date(row.Time(i)); return;
                case BiType.Text: Text(row.Text(i)!); return;
            }
        }

        private void Ascii(ReadOnlySpan<byte> s)
        {
            s.CopyTo(Free(s.Length));
            _used += s.Length;
        }

        public void Integer(long v)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(v, Free(20), out var n);
            _used += n;
        }

        public void Decimal(decimal v)
        {
            v.TryFormat(Free(64), out var n, "0.0000", CultureInfo.InvariantCulture);
            _used += n;
        }

        public void Double(double v)
        {
            v.TryFormat(Free(64), out var n, "R", CultureInfo.InvariantCulture);
            _used += n;
        }

        /// <summary>yyyy-MM-ddTHH:mm:ss.fffZ, milliseconds truncated as "fff" does.</summary>
        public void Timestamp(DateTime t)
        {
            var s = Free(24);
            DateDigits(s, t);
            s[10] = (byte)'T';
            Two(s[11..], t.Hour);
            s[13] = (byte)':';
            Two(s[14..], t.Minute);
            s[16] = (byte)':';
            Two(s[17..], t.Second);
            s[19] = (byte)'.';
            var ms = t.Millisecond;
            s[20] = (byte)('0' + ms / 100);
            Two(s[21..], ms % 100);
            s[23] = (byte)'Z';
            _used += 24;
        }

        public void Date(DateTime t)
        {
            DateDigits(Free(10), t);
            _used += 10;
        }

        private static void DateDigits(Span<byte> s, DateTime t)
        {
            var y = t.Year;
            Two(s, y / 100);
            Two(s[2..], y % 100);
            s[4] = (byte)'-';
            Two(s[5..], t.Month);
            s[7] = (byte)'-';
            Two(s[8..], t.Day);
        }

        private static void Two(Span<byte> s, int v)
        {
            s[0] = (byte)('0' + v / 10);
            s[1] = (byte)('0' + v % 10);
        }

        /// <summary>
        /// A text cell. A cell a spreadsheet would read as a formula (= + - @, or a tab or CR first: OWASP
        /// "CSV injection") gets a leading apostrophe, so a hostile client name never runs in Excel.
        /// </summary>
        public void Text(string s)
        {
            var formula = s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
            // Quoting only adds bytes one for one ('"' doubled), never more than the 3 bytes a char may take.
            var free = Free(System.Text.Encoding.UTF8.GetMaxByteCount(s.Length) + 3);
            if (!formula && s.AsSpan().IndexOfAny(NeedsQuotes) < 0)
            {
                _used += System.Text.Encoding.UTF8.GetBytes(s, free);
                return;
            }
            var n = 0;
            free[n++] = (byte)'"';
            if (formula) free[n++] = (byte)'\'';
            var rest = s.AsSpan();
            while (rest.Length > 0)
            {
                var quote = rest.IndexOf('"');
                var part = quote < 0 ? rest : rest[..(quote + 1)];
                n += System.Text.Encoding.UTF8.GetBytes(part, free[n..]);
                if (quote < 0) break;
                free[n++] = (byte)'"';
                rest = rest[(quote + 1)..];
            }
            free[n++] = (byte)'"';
            _used += n;
        }
    }

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    // ---- XLSX (Office Open XML, streamed) -------------------------------------------------------

    /// <summary>Excel's row limit per sheet (header included): longer exports continue on the next sheet.</summary>
    internal const int XlsxRowsPerSheet = 1_048_576 - 1;

    private static async Task<long> XlsxAsync(Stream output, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<BiRow> rows, BiWriteOptions options,
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
                XlsxCell(sheet, columns[i].Type, row.Value(i));
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

    private static async Task<long> ParquetAsync(Stream output, IReadOnlyList<BiColumn> columns, IAsyncEnumerable<BiRow> rows, BiWriteOptions options,
        IProgress<long>? progress, CancellationToken ct)
    {
        var fields = columns.Select(Field).ToArray();
        var groupSize = options.ParquetRowGroup;
        // Two row groups of column buffers: one filled from the reader while the other is encoded and
        // compressed on the thread pool, so the database read and the encoding overlap (on two cores
        // the 1.9 M export went from reading, then encoding, to both at once). Memory is bounded by
        // the two groups, never by the file; groups are written one at a time and in order.
        var buffers = columns.Select(c => Buffer(c.Type, groupSize)).ToArray();
        var spare = columns.Select(c => Buffer(c.Type, groupSize)).ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), output, new ParquetOptions { CompressionMethod = options.Compress ? CompressionMethod.Snappy : CompressionMethod.None }, false, ct);
        var inGroup = 0;
        long n = 0;
        var pending = Task.CompletedTask;
        async Task WriteGroupAsync(Array[] full, int count, long upTo)
        {
            using var group = writer.CreateRowGroup();
            for (var i = 0; i < fields.Length; i++)
            {
                await WriteColumnAsync(group, fields[i], columns[i].Type, full[i], count, ct);
            }
            group.CompleteValidate();
            progress?.Report(upTo);
        }
        async Task FlushAsync()
        {
            if (inGroup == 0) return;
            await pending; // the group before is written: its buffers are free again
            var (full, count) = (buffers, inGroup);
            (buffers, spare) = (spare, buffers);
            inGroup = 0;
            var upTo = n;
            pending = Task.Run(() => WriteGroupAsync(full, count, upTo), ct);
        }
        try
        {
            await foreach (var row in rows.WithCancellation(ct))
            {
                for (var i = 0; i < fields.Length; i++)
                {
                    Set(buffers[i], columns[i].Type, inGroup, row, i);
                }
                inGroup++;
                n++;
                if (inGroup == groupSize) await FlushAsync();
            }
            await FlushAsync();
        }
        catch
        {
            // The writer is disposed on the way out: never while a group is still being written.
            try { await pending; } catch (Exception) { /* the first failure is the one reported */ }
            throw;
        }
        await pending;
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

    private static void Set(Array buffer, BiType type, int at, BiRow row, int i)
    {
        var none = row.IsNull(i);
        switch (type)
        {
            case BiType.Int32: ((int?[])buffer)[at] = none ? null : (int)row.Integer(i); break;
            case BiType.Int64: ((long?[])buffer)[at] = none ? null : row.Integer(i); break;
            case BiType.Decimal: ((decimal?[])buffer)[at] = none ? null : row.Decimal(i); break;
            case BiType.Double: ((double?[])buffer)[at] = none ? null : row.Double(i); break;
            case BiType.Text: ((string?[])buffer)[at] = row.Text(i); break;
            case BiType.Boolean: ((bool?[])buffer)[at] = none ? null : row.Boolean(i); break;
            case BiType.Timestamp or BiType.Date: ((DateTime?[])buffer)[at] = none ? null : row.Time(i); break;
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
