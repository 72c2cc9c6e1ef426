using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Alerts;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>Issue 17: staff import from XLSX and CSV — row-numbered errors, and one bad row applies nothing.</summary>
public sealed class StaffImportTests
{
    private static string Xlsx(params Dictionary<string, object>[] rows)
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".xlsx");
        MiniExcelLibs.MiniExcel.SaveAs(path, rows);
        return path;
    }

    private static Dictionary<string, object> Row(string name, object phone, string department, string timeZone = "Europe/Moscow") =>
        new() { ["name"] = name, ["phone"] = phone, ["department"] = department, ["timezone"] = timeZone };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Xlsx_ImportsAll_OrNothing_WithRowNumbers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var good = Xlsx(Row("Anna Petrova", 79161110001d, "Ops"), Row("Ivan Sidorov", "+7 916 111-00-02", "Ops"), Row("Olga Ivanova", 79161110003d, "Security"));
        try
        {
            var result = await directory.ImportAsync(good, "staff.xlsx", "admin");
            Assert.Empty(result.Errors);
            Assert.Equal((3, 0), (result.Added, result.Updated));
        }
        finally
        {
            File.Delete(good);
        }

        // Row 2 would update Anna (valid), row 3 has a bad phone, row 5 repeats row 4's phone, row 6 an unknown zone.
        var bad = Xlsx(Row("Anna Petrova", 79161110001d, "Finance"), Row("No Phone", "12ab", "Ops"), Row("New One", 79161110009d, "Ops"),
            Row("New Two", 79161110009d, "Ops"), Row("Zone Less", 79161110010d, "Ops", "Mars/Olympus"));
        try
        {
            var result = await directory.ImportAsync(bad, "staff.xlsx", "admin");
            Assert.Equal((0, 0), (result.Added, result.Updated));
            Assert.Equal(3, result.Errors.Count);
            Assert.StartsWith("Row 3:", result.Errors[0], StringComparison.Ordinal);
            Assert.Equal("Row 5: the same phone as row 4.", result.Errors[1]);
            Assert.StartsWith("Row 6:", result.Errors[2], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bad);
        }
        await using var check = database.CreateContext();
        Assert.Equal(3, await check.Employees.CountAsync());
        Assert.Equal("Ops", await check.Employees.Where(e => e.Phone == "+79161110001").Select(e => e.Department).SingleAsync());
        Assert.Equal(1, await check.AuditEntries.CountAsync(e => e.Action == AuditActions.EmployeesImported));
    }

    [Fact]
    public async Task Csv_SemicolonsAndQuotes_UpdateKnownPhones_AndABadRowAppliesNothing()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));
        var first = await directory.ImportCsvAsync(Csv("name;phone;department;active\n\"Petrova; Anna\";+79161110001;Ops;yes\nIvan;+79161110002;Ops;no\n"), "admin");
        Assert.Equal((2, 0, 0), (first.Added, first.Updated, first.Errors.Count));
        var second = await directory.ImportCsvAsync(Csv("name;phone;department\nAnna P;+79161110001;Finance\n;+79161110003;Ops\n"), "admin");
        Assert.Equal((0, 0), (second.Added, second.Updated));
        Assert.StartsWith("Row 3:", Assert.Single(second.Errors), StringComparison.Ordinal);
        var third = await directory.ImportCsvAsync(Csv("name;phone;department\nAnna P;+79161110001;Finance\n"), "admin");
        Assert.Equal((0, 1), (third.Added, third.Updated));
        await using var check = database.CreateContext();
        var anna = await check.Employees.SingleAsync(e => e.Phone == "+79161110001");
        Assert.Equal(("Anna P", "Finance"), (anna.FullName, anna.Department));
        Assert.False(await check.Employees.Where(e => e.Phone == "+79161110002").Select(e => e.Active).SingleAsync());
    }
}
