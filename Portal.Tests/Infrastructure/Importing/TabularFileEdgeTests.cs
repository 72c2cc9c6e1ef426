using System.Text;
using Portal.Infrastructure.Importing;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>
/// Issue 21 (coverage): the file reader at its edges: a broken header, doubled quotes, blank lines,
/// rows over the limits in CSV and XLSX, typed XLSX cells, and a file that is not what its name says.
/// </summary>
public sealed class TabularFileEdgeTests : IDisposable
{
    private readonly List<string> _files = [];

    private string Csv(string text)
    {
        var path = Path.GetTempFileName();
        _files.Add(path);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private string Xlsx(IEnumerable<Dictionary<string, object?>> rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.xlsx");
        _files.Add(path);
        MiniExcelLibs.MiniExcel.SaveAs(path, rows);
        return path;
    }

    public void Dispose()
    {
        foreach (var file in _files) File.Delete(file);
    }

    [Fact]
    public void AnEmptyFile_IsRefused() =>
        Assert.Equal("The file is empty: it needs a header row and at least one data row.",
            Assert.Throws<InvalidDataException>(() => TabularFile.Open(Csv(""), "clients.csv")).Message);

    [Fact]
    public void AnXlsxNameOnAFileThatIsNotOne_IsRefusedNamingTheFormat()
    {
        var error = Assert.Throws<InvalidDataException>(() => TabularFile.Open(Csv("phone\n+79161234567\n"), "clients.xlsx"));
        Assert.StartsWith("The file could not be read as XLSX: ", error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void AQuoteNeverClosedInTheHeader_IsRefused() =>
        Assert.Equal("A quote opened in the header row is never closed: is this a CSV file?",
            Assert.Throws<InvalidDataException>(() => TabularFile.Open(Csv("\"phone,name\n+79161234567,Анна\n"), "clients.csv")).Message);

    [Fact]
    public void DoubledQuotesAndBlankLines_AreReadAsExcelWritesThem()
    {
        using var file = TabularFile.Open(Csv("phone;note\n+79161111111;\"say \"\"hi\"\"\"\n\n+79162222222;plain\n"), "clients.csv");
        Assert.Equal(["phone", "note"], file.Headers);
        var rows = file.Rows().ToList();
        List<List<string?>> expected = [["+79161111111", "say \"hi\""], ["+79162222222", "plain"]];
        Assert.Equal(expected, rows.Select(r => r.ToList()).ToList());
        Assert.Equal(4, file.CurrentRow);
        Assert.Equal(1, file.Progress, 3);
        Assert.Empty(file.BadRows);
    }

    [Fact]
    public void AQuoteNeverClosedOnTheLastRow_IsABadRow_AndTheRowsBeforeItAreRead()
    {
        using var file = TabularFile.Open(Csv("phone,note\n+79161111111,ok\n+79162222222,\"never closed\n"), "clients.csv");
        Assert.Equal(["+79161111111"], file.Rows().Select(r => r[0]));
        var (row, reason) = Assert.Single(file.BadRows);
        Assert.Equal(3, row);
        Assert.StartsWith("A quote opened in this row is never closed", reason);
    }

    [Fact]
    public void ACsvRowOverTheRowLimit_IsABadRow_AndTheNextRowIsRead()
    {
        using var file = TabularFile.Open(Csv($"phone,note\n+79161111111,{new string('x', 80)}\n+79162222222,ok\n"), "clients.csv",
            new ImportOptions { MaxRowChars = 50, MaxFieldChars = 100 });
        Assert.Equal(["+79162222222"], file.Rows().Select(r => r[0]));
        var (row, reason) = Assert.Single(file.BadRows);
        Assert.Equal(2, row);
        Assert.StartsWith("The row is longer than 50 characters or has a field longer than 100: skipped.", reason);
    }

    [Fact]
    public void Xlsx_TypedCells_BecomeInvariantText()
    {
        var path = Xlsx([new Dictionary<string, object?> { ["phone"] = "+79161111111", ["vip"] = true, ["spend"] = 1234.5m, ["note"] = null, ["optin"] = false }]);
        using var file = TabularFile.Open(path, "clients.xlsx");
        Assert.Equal(["phone", "vip", "spend", "note", "optin"], file.Headers);
        var row = Assert.Single(file.Rows());
        Assert.Equal("+79161111111", row[0]);
        Assert.Equal("1", row[1]);
        Assert.Equal("1234.5", row[2]);
        Assert.True(string.IsNullOrEmpty(row[3]));
        Assert.Equal("0", row[4]);
    }

    [Fact]
    public void Xlsx_ARowOverTheLimit_IsABadRow_AndAHeaderOverItIsRefused()
    {
        var limits = new ImportOptions { MaxRowChars = 60, MaxFieldChars = 40 };
        var path = Xlsx([
            new Dictionary<string, object?> { ["phone"] = "+79161111111", ["note"] = new string('x', 41) },
            new Dictionary<string, object?> { ["phone"] = "+79162222222", ["note"] = "ok" },
        ]);
        using (var file = TabularFile.Open(path, "clients.xlsx", limits))
        {
            Assert.Equal(["+79162222222"], file.Rows().Select(r => r[0]));
            Assert.Equal(2, Assert.Single(file.BadRows).Row);
            Assert.Equal(3, file.CurrentRow);
        }

        var wide = Xlsx([new Dictionary<string, object?> { [new string('h', 41)] = "x" }]);
        Assert.Equal("The header row is too long.", Assert.Throws<InvalidDataException>(() => TabularFile.Open(wide, "clients.xlsx", limits)).Message);
    }
}
