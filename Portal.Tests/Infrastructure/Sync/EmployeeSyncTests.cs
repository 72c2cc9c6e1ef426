using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>
/// Issue 17, item 1: the staff directory kept from an HR database by a scheduled sync: people
/// matched on the phone, bad rows rejected with the rest applied, only rows past the watermark
/// read again, every run audited.
/// </summary>
public sealed class EmployeeSyncTests
{
    private const string Table = """
        CREATE TABLE hr_staff (phone text, full_name text, dept text, tz text, active text, updated_at timestamptz NOT NULL);
        """;

    private static SyncSourceDraft Draft(string connectionString) => new("HR directory", SyncSourceKind.Postgres, SyncTarget.Employees, connectionString, null, null,
        "SELECT phone, full_name, dept, tz, active, updated_at FROM hr_staff WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity') ORDER BY updated_at",
        "updated_at", "0 0 3 * * ?", [("phone", "Phone"), ("full_name", "Name"), ("dept", "Department"), ("tz", "TimeZone"), ("active", "Active")], true)
    {
        OverlapMinutes = 0,
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task HrRows_UpsertEmployeesByPhone_RejectBadRows_ThenOnlyRowsPastTheWatermark(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(Table + """
            INSERT INTO hr_staff VALUES
              ('+7 916 555-01-01', 'Анна Орлова', 'NOC', 'Europe/Moscow', NULL, '2026-11-20 10:00:00+00'),
              ('89165550102', 'Борис Ким', 'NOC', NULL, 'true', '2026-11-20 10:01:00+00'),
              ('12', 'Not A Phone', 'NOC', NULL, NULL, '2026-11-20 10:02:00+00'),
              ('+79165550103', 'Вера Лис', 'Security', 'Mars/Olympus', NULL, '2026-11-20 10:03:00+00'),
              ('+79165550102', 'Boris Twice', 'NOC', NULL, NULL, '2026-11-20 10:04:00+00');
            """);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(source.ConnectionString), default);

        var first = await sync.Runner.RunAsync(id, default);
        Assert.True(first!.Succeeded, first.Error);
        Assert.Equal((5, 2, 3), (first.RowsRead, first.Upserted, first.Rejected));
        await using (var read = sync.Portal.CreateContext())
        {
            var people = await read.Employees.OrderBy(e => e.Phone).ToListAsync();
            Assert.Equal(["+79165550101", "+79165550102"], people.Select(p => p.Phone));
            Assert.Equal(("Анна Орлова", "NOC", "Europe/Moscow", true), (people[0].FullName, people[0].Department, people[0].TimeZone, people[0].Active));
            Assert.Equal("Борис Ким", people[1].FullName);
            var audit = await read.AuditEntries.SingleAsync(a => a.Action == AuditActions.EmployeesImported);
            Assert.Equal($"added=2; updated=0; rejected=3; from=sync #{id}", audit.Details);
            Assert.DoesNotContain("5550", audit.Details, StringComparison.Ordinal);
        }

        // The HR system moves Boris to Security and retires him; Anna's row is not touched again.
        await source.ExecAsync("UPDATE hr_staff SET dept = 'Security', active = 'no', updated_at = '2026-11-21 09:00:00+00' WHERE full_name = 'Борис Ким';");
        var second = await sync.Runner.RunAsync(id, default);
        Assert.True(second!.Succeeded, second.Error);
        Assert.Equal((1, 1, 0), (second.RowsRead, second.Upserted, second.Rejected));
        await using (var read = sync.Portal.CreateContext())
        {
            var boris = await read.Employees.SingleAsync(e => e.Phone == "+79165550102");
            Assert.Equal(("Security", false), (boris.Department, boris.Active));
            Assert.Equal(2, await read.Employees.CountAsync());
        }
    }

    [Fact]
    public void Mapping_NeedsPhoneAndName_AndKnowsOnlyEmployeeFields()
    {
        Assert.Throws<DomainException>(() => SyncMapping.Parse("""{"phone":"Phone"}""", SyncTarget.Employees));
        var unknown = Assert.Throws<DomainException>(() => SyncMapping.Parse("""{"phone":"Phone","n":"Name","x":"Balance"}""", SyncTarget.Employees));
        Assert.Contains("not an employee field", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(1, SyncMapping.Parse("""{"phone":"Phone","n":"Name"}""", SyncTarget.Employees).IndexOf(EmployeeField.Name));
    }
}
