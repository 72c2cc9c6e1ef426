using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>
/// Issue 14: hostile import files cost a row error, not the node's memory. Allocation is measured
/// on the reading thread: before the limits an unclosed quote or a file without line breaks
/// grew one string to the size of the file.
/// </summary>
public sealed class HostileImportFileTests : IDisposable
{
    private const int Big = 40 * 1024 * 1024; // characters after the good rows
    private readonly List<string> _files = [];

    [Fact]
    public void UnclosedQuote_IsARowError_TheLinesAfterItAreReadAsRows_InLinearMemory()
    {
        var path = Write("q.csv", w =>
        {
            w.Write("external_id,phone\nA1,+79161112233\nA2,\"+7916\n");
            WriteFiller(w, Big, withLineBreaks: true);
        });

        // Issue 20: the quote no longer swallows the rest of the file; rows are streamed, not held.
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var file = TabularFile.Open(path, Path.GetFileName(path));
        string? first = null;
        var count = 0;
        foreach (var row in file.Rows())
        {
            first ??= row[0];
            count++;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("A1", first);
        Assert.Equal(1 + Big / 1024, count);
        Assert.Contains(file.BadRows, b => b.Row == 3 && b.Reason.Contains("never closed"));
        // Each character is read once after the rewind (a rewind per line would be quadratic).
        Assert.True(allocated < 4L * Big + 30L * 1024 * 1024, $"allocated {allocated / 1024 / 1024} MB reading {Big / 1024 / 1024} M characters");
    }

    [Fact]
    public void NoLineBreaks_AfterTheHeader_IsARowError_AndGoodRowsAroundItSurvive()
    {
        var path = Write("flat.csv", w =>
        {
            w.Write("external_id,phone\nA1,+79161112233\n");
            WriteFiller(w, Big, withLineBreaks: false);
            w.Write("\nA3,+79161112244\n");
        });

        var (rows, bad, allocated) = ReadAll(path);

        Assert.Equal(["A1", "A3"], rows.Select(r => r[0]!).ToArray());
        Assert.Single(bad);
        Assert.True(allocated < 30L * 1024 * 1024, $"allocated {allocated / 1024 / 1024} MB");
    }

    [Fact]
    public void NoLineBreaksAtAll_IsRefusedAsNotACsv_WithBoundedMemory()
    {
        var path = Write("one-line.csv", w => WriteFiller(w, Big, withLineBreaks: false));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => TabularFile.Open(path, "one-line.csv"));

        Assert.Contains("header row is longer", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 30L * 1024 * 1024);
    }

    [Fact]
    public void FieldOverItsCap_RejectsOnlyThatRow_WithAClearReason()
    {
        var limits = new ImportOptions { MaxFieldChars = 200, MaxRowChars = 1_000 };
        var path = Write("long.csv", w => w.Write($"external_id,first_name\nA1,Anna\nA2,{new string('x', 201)}\nA3,\"{new string('y', 150)}\"\n"));

        using var file = TabularFile.Open(path, "long.csv", limits);
        var rows = file.Rows().ToList();

        Assert.Equal(["A1", "A3"], rows.Select(r => r[0]!).ToArray());
        var (row, reason) = Assert.Single(file.BadRows);
        Assert.Equal(3, row);
        Assert.Contains("longer than 1,000 characters or has a field longer than 200", reason);
    }

    [Fact]
    public async Task Import_ReportsTheTooLongRow_AsARowError()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var path = Write("import.csv", w => w.Write($"external_id,phone\nA1,+79161112233\nA2,\"{new string('9', 20_000)}\"\nA3,+79161112244\n"));
        var importer = new ClientImporter(db.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance,
            Microsoft.Extensions.Options.Options.Create(new ImportOptions()));
        var request = new ImportRequest(path, "import.csv", [ClientField.ExternalId, ClientField.Phone], ImportMode.ValidRowsOnly, ImportMatch.ExternalId, "t");

        var job = await importer.RunAsync(await importer.CreateJobAsync(request, default), request, null, default);

        Assert.Equal((2, 1), (job.Inserted, job.Rejected));
        await using var read = db.CreateContext();
        Assert.Contains("longer than", (await read.ImportRowErrors.SingleAsync()).Reason);
    }

    [Fact]
    public void XlsxZipBomb_IsRefusedBeforeParsing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.xlsx");
        _files.Add(path);
        MiniExcelLibs.MiniExcel.SaveAs(path, new[] { new Dictionary<string, object> { ["external_id"] = "X1", ["note"] = new string('a', 30 * 1024 * 1024) } });

        var error = Assert.Throws<InvalidDataException>(() => TabularFile.Open(path, "bomb.xlsx"));

        Assert.Contains("compressed more than 100:1", error.Message);
    }

    [Fact]
    public void XlsxOverTheUnpackedSizeLimit_IsRefused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.xlsx");
        _files.Add(path);
        var random = new Random(7);
        MiniExcelLibs.MiniExcel.SaveAs(path, Enumerable.Range(0, 30_000).Select(i => new Dictionary<string, object>
        {
            ["external_id"] = $"X{i}", ["note"] = Convert.ToBase64String(Enumerable.Range(0, 48).Select(_ => (byte)random.Next()).ToArray()),
        }));

        var error = Assert.Throws<InvalidDataException>(() => TabularFile.Open(path, "big.xlsx", new ImportOptions { MaxXlsxUncompressedBytes = 1024 * 1024 }));

        Assert.Contains("unpacks to more than 1 MB", error.Message);
        using var fine = TabularFile.Open(path, "big.xlsx");
        Assert.Equal(30_000, fine.Rows().Count());
    }

    [Fact]
    public void UploadLimit_DefaultsTo300MB_AndIsValidated()
    {
        Assert.Equal(300L * 1024 * 1024, new ImportOptions().MaxUploadBytes);
        var validator = new ImportOptionsValidator();
        Assert.True(validator.Validate(null, new ImportOptions { MaxUploadBytes = 10 }).Failed);
        Assert.True(validator.Validate(null, new ImportOptions { MaxRowChars = 10, MaxFieldChars = 100 }).Failed);
        Assert.True(validator.Validate(null, new ImportOptions()).Succeeded);
    }

    private static (List<string?[]> Rows, List<(int Row, string Reason)> Bad, long Allocated) ReadAll(string path)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var file = TabularFile.Open(path, Path.GetFileName(path));
        var rows = file.Rows().ToList();
        return (rows, file.BadRows, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private string Write(string name, Action<StreamWriter> write)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        _files.Add(path);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        write(w);
        return path;
    }

    private static void WriteFiller(StreamWriter w, int chars, bool withLineBreaks)
    {
        var block = new string('7', 1023) + (withLineBreaks ? "\n" : "7");
        for (var i = 0; i < chars / 1024; i++)
        {
            w.Write(block);
        }
    }

    public void Dispose()
    {
        foreach (var f in _files)
        {
            File.Delete(f);
        }
    }
}
