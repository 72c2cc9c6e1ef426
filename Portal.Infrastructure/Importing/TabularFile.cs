using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;
using MiniExcel = MiniExcelLibs.MiniExcel;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// A CSV or XLSX file read row by row, never whole: the header, then each row's cells as text.
/// CSV: delimiter detected (',' ';' tab), UTF-8 or Windows-1251 detected (Russian Excel exports).
/// A CSV row the parser cannot read (a broken quote) is reported, not thrown.
/// </summary>
public sealed class TabularFile : ITabularSource, IDisposable
{
    private readonly Stream _stream;
    private readonly IEnumerator<string?[]> _rows;

    private TabularFile(Stream stream, IEnumerator<string?[]> rows, IReadOnlyList<string> headers)
    {
        _stream = stream;
        _rows = rows;
        Headers = headers;
    }

    public IReadOnlyList<string> Headers { get; }

    /// <summary>Rows whose text could not be parsed, with the parser's reason (1-based row numbers, header = 1).</summary>
    public List<(int Row, string Reason)> BadRows { get; } = [];

    /// <summary>Where the row last returned by <see cref="Rows"/> starts: its physical line in a CSV, its row in an XLSX (header = 1).</summary>
    public int CurrentRow { get; private set; }

    /// <summary>0..1, how much of the file has been read.</summary>
    public double Progress => _stream.CanSeek && _stream.Length > 0 ? Math.Min(1, (double)_stream.Position / _stream.Length) : 0;

    public static bool IsExcel(string fileName) => fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="InvalidDataException">The file is empty, not a CSV/XLSX file, or over the XLSX limits of <paramref name="limits"/>.</exception>
    public static TabularFile Open(string path, string fileName, ImportOptions? limits = null)
    {
        limits ??= ImportOptions.Default;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            IEnumerator<string?[]> rows;
            TabularFile? file = null;
            if (IsExcel(fileName))
            {
                CheckZip(stream, limits);
                rows = ReadExcel(stream, limits, () => file!).GetEnumerator();
            }
            else
            {
                rows = ReadCsv(stream, limits, () => file!).GetEnumerator();
            }
            if (!rows.MoveNext())
            {
                throw new InvalidDataException("The file is empty: it needs a header row and at least one data row.");
            }
            var headers = rows.Current.Select((h, i) => string.IsNullOrWhiteSpace(h) ? $"#{i + 1}" : h.Trim().TrimStart('\uFEFF')).ToList();
            file = new TabularFile(stream, rows, headers);
            return file;
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            stream.Dispose();
            throw new InvalidDataException($"The file could not be read as {(IsExcel(fileName) ? "XLSX" : "CSV")}: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The data rows after the header, streamed.</summary>
    public IEnumerable<string?[]> Rows()
    {
        while (_rows.MoveNext())
        {
            yield return _rows.Current;
        }
    }

    private static IEnumerable<string?[]> ReadCsv(Stream stream, ImportOptions limits, Func<TabularFile> owner)
    {
        var encoding = LooksLikeUtf8(stream) ? new UTF8Encoding(false) : Windows1251();
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        // The delimiter is guessed from the first line, read with a bound: ReadLine on a file
        // without line breaks would load all of it.
        var start = new char[Math.Min(limits.MaxRowChars, 1 << 16)];
        var first = new string(start, 0, reader.ReadBlock(start));
        if (first.IndexOfAny(['\r', '\n']) is var end and >= 0)
        {
            first = first[..end];
        }
        stream.Position = 0;
        reader.DiscardBufferedData();
        var csv = new CsvRowReader(reader, CsvRowReader.DetectDelimiter(first), limits.MaxFieldChars, limits.MaxRowChars);
        var header = true;
        while (csv.Read() is { } row)
        {
            if (csv.QuoteNotClosed)
            {
                if (header)
                {
                    throw new InvalidDataException("A quote opened in the header row is never closed: is this a CSV file?");
                }
                // Issue 20: the row is an error at the line where the quote opens; the lines after it are read as rows.
                owner().BadRows.Add((csv.RowStartLine, "A quote opened in this row is never closed: the row is skipped; the lines after it are read as rows of their own."));
                continue;
            }
            if (csv.TooLong)
            {
                if (header)
                {
                    throw new InvalidDataException($"The header row is longer than {limits.MaxRowChars:N0} characters (or a name in it longer than {limits.MaxFieldChars:N0}): is this a CSV file?");
                }
                owner().BadRows.Add((csv.RowStartLine, TooLongReason(limits)));
                continue;
            }
            if (!header)
            {
                owner().CurrentRow = csv.RowStartLine;
            }
            header = false;
            yield return row;
        }
    }

    private static string TooLongReason(ImportOptions limits) =>
        $"The row is longer than {limits.MaxRowChars:N0} characters or has a field longer than {limits.MaxFieldChars:N0}: skipped. " +
        "(A quote that is never closed makes the rest of the file one long field.)";

    /// <summary>
    /// Zip-bomb guard before the XLSX is parsed: the parts' declared sizes in all and each part's
    /// compression ratio. System.IO.Compression stops reading an entry at its declared size, so a
    /// part cannot unpack to more than the sizes checked here.
    /// </summary>
    private static void CheckZip(Stream stream, ImportOptions limits)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            // Not a zip at all (a CSV saved as .xlsx): the same sentence as any other unreadable XLSX,
            // not the zip reader's "End of Central Directory record could not be found".
            throw new InvalidDataException($"The file could not be read as XLSX: {e.Message}", e);
        }
        using (var zip = archive)
        {
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > limits.MaxXlsxUncompressedBytes)
                {
                    throw new InvalidDataException($"The XLSX file unpacks to more than {limits.MaxXlsxUncompressedBytes / (1024 * 1024):N0} MB: refused.");
                }
                if (entry.Length > 1024 * 1024 && entry.Length > (long)limits.MaxXlsxCompressionRatio * Math.Max(1, entry.CompressedLength))
                {
                    throw new InvalidDataException($"A part of the XLSX file is compressed more than {limits.MaxXlsxCompressionRatio}:1 (a zip bomb?): refused.");
                }
            }
        }
        stream.Position = 0;
    }

    private static IEnumerable<string?[]> ReadExcel(Stream stream, ImportOptions limits, Func<TabularFile> owner)
    {
        var row = 0;
        foreach (var cells in ReadExcelCells(stream))
        {
            row++;
            if (cells.Length > limits.MaxRowChars || cells.Any(c => c?.Length > limits.MaxFieldChars)
                || cells.Sum(c => (long)(c?.Length ?? 0)) > limits.MaxRowChars)
            {
                if (row == 1)
                {
                    throw new InvalidDataException("The header row is too long.");
                }
                owner().BadRows.Add((row, TooLongReason(limits)));
                continue;
            }
            if (row > 1)
            {
                owner().CurrentRow = row;
            }
            yield return cells;
        }
    }

    private static IEnumerable<string?[]> ReadExcelCells(Stream stream)
    {
        foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false))
        {
            var cells = new string?[row.Count];
            var i = 0;
            foreach (var value in row.Values)
            {
                cells[i++] = value switch
                {
                    null => null,
                    DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    double n => n.ToString("R", CultureInfo.InvariantCulture),
                    decimal n => n.ToString(CultureInfo.InvariantCulture),
                    bool b => b ? "1" : "0",
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                };
            }
            yield return cells;
        }
    }

    /// <summary>Strict UTF-8 decode of the first 64 KiB; Russian files that fail it are Windows-1251.</summary>
    private static bool LooksLikeUtf8(Stream stream)
    {
        var buffer = new byte[65536];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        var span = buffer.AsSpan(0, read);
        // A cut at the buffer's end may split a multi-byte character: drop up to 3 trailing bytes.
        for (var trim = 0; trim <= 3 && trim <= span.Length; trim++)
        {
            if (Utf8.IsValid(span[..^trim]))
            {
                return true;
            }
        }
        return false;
    }

    private static Encoding Windows1251()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1251);
    }

    public void Dispose()
    {
        _rows.Dispose();
        _stream.Dispose();
    }
}
