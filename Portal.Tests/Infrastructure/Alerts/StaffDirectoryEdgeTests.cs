using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>
/// Issue 21 (coverage): the staff directory's list (search, masking, the audited unmasked read),
/// editing a person, an unreadable import file, and roster edits that must be refused.
/// </summary>
public class StaffDirectoryEdgeTests
{
    private static async Task<(TestDatabase Database, StaffDirectory Directory, int Anna, int Oleg)> SeededAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var anna = await directory.SaveEmployeeAsync(null, new EmployeeInput("Анна Петрова", "+79161111111", "anna@corp.example", "NOC", "Engineer", "Moscow", "Europe/Moscow"), "admin");
        var oleg = await directory.SaveEmployeeAsync(null, new EmployeeInput("Олег Смирнов", "+79162222222", null, "Sales", null, null, null), "admin");
        return (database, directory, anna, oleg);
    }

    [Fact]
    public async Task List_SearchesNamePhoneAndDepartment_AndAnUnmaskedListIsAudited()
    {
        var (database, directory, anna, _) = await SeededAsync();
        await using var owned = database;

        var all = await directory.EmployeesAsync(seesPersonalData: true, "admin");
        Assert.Equal(["Анна Петрова", "Олег Смирнов"], all.Select(e => e.FullName));
        Assert.Equal(new EmployeeRow(anna, "Анна Петрова", "+79161111111", "anna@corp.example", "NOC", "Engineer", "Moscow", "Europe/Moscow", true), all[0]);
        Assert.Equal(["Олег Смирнов"], (await directory.EmployeesAsync(true, "admin", " Sales ")).Select(e => e.FullName));
        Assert.Equal(["Анна Петрова"], (await directory.EmployeesAsync(true, "admin", "1111")).Select(e => e.FullName));
        Assert.Equal(["Олег Смирнов"], (await directory.EmployeesAsync(true, "admin", "Олег")).Select(e => e.FullName));
        Assert.Empty(await directory.EmployeesAsync(true, "admin", "nobody"));

        var masked = await directory.EmployeesAsync(seesPersonalData: false, "operator");
        Assert.Equal(("А" + new string('*', 11), "+7916*****11", "a" + new string('*', 16)), (masked[0].FullName, masked[0].Phone, masked[0].Email));
        Assert.Null(masked[1].Email);

        await using var db = database.CreateContext();
        var reads = await db.AuditEntries.Where(e => e.Action == AuditActions.PersonalDataRead).Select(e => new { e.UserName, e.Details }).ToListAsync();
        Assert.Equal(4, reads.Count);
        Assert.All(reads, r => Assert.Equal("admin", r.UserName));
        Assert.Equal(["staff directory list; rows=1", "staff directory list; rows=1", "staff directory list; rows=1", "staff directory list; rows=2"], reads.Select(r => r.Details).Order());
    }

    [Fact]
    public async Task SaveEmployee_ChangesAnExistingPerson_AndRefusesAnUnknownOne()
    {
        var (database, directory, anna, _) = await SeededAsync();
        await using var owned = database;

        Assert.Equal(anna, await directory.SaveEmployeeAsync(anna, new EmployeeInput("Анна Иванова", "+79163333333", null, "NOC", null, null, null, Active: false), "admin"));
        var changed = (await directory.EmployeesAsync(true, "admin")).Single(e => e.Id == anna);
        Assert.Equal(("Анна Иванова", "+79163333333", false), (changed.FullName, changed.Phone, changed.Active));

        var missing = await Assert.ThrowsAsync<DomainException>(() => directory.SaveEmployeeAsync(9999, new EmployeeInput("X", "+79164444444", null, null, null, null, null), "admin"));
        Assert.Equal("There is no such employee.", missing.Message);
        await Assert.ThrowsAsync<DomainException>(() => directory.SaveEmployeeAsync(null, new EmployeeInput("X", "12", null, null, null, null, null), "admin"));
        Assert.Equal(2, (await directory.EmployeesAsync(true, "admin")).Count);

        await using var db = database.CreateContext();
        Assert.Equal(["added", "added", "changed"], (await db.AuditEntries.Where(e => e.Action == AuditActions.EmployeeSaved).Select(e => e.Details).ToListAsync()).Order());
    }

    [Fact]
    public async Task Import_OfAnEmptyFile_ReportsWhy_AndAddsNobody()
    {
        var (database, directory, _, _) = await SeededAsync();
        await using var owned = database;
        var path = Path.GetTempFileName();
        try
        {
            var result = await directory.ImportAsync(path, "staff.csv", "admin");
            Assert.Equal((0, 0), (result.Added, result.Updated));
            Assert.Equal(["The file is empty: it needs a header row and at least one data row."], result.Errors);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(2, (await directory.EmployeesAsync(true, "admin")).Count);
    }

    [Fact]
    public async Task Rosters_RefuseMissingMembersTakenNamesAndUnknownIds_AndChangeInPlace()
    {
        var (database, directory, anna, oleg) = await SeededAsync();
        await using var owned = database;
        var start = new DateOnly(2026, 11, 1);
        var noc = await directory.SaveRosterAsync(null, new RosterInput("NOC", "Europe/Moscow", 540, 1, start, [anna, oleg]), "admin");
        var sales = await directory.SaveRosterAsync(null, new RosterInput("Sales", "Europe/Moscow", 540, 7, start, [oleg]), "admin");

        Assert.Equal("A level names a person or group that no longer exists.",
            (await Assert.ThrowsAsync<DomainException>(() => directory.SaveRosterAsync(null, new RosterInput("Ghosts", "Europe/Moscow", 0, 1, start, [anna, 9999]), "admin"))).Message);
        Assert.Equal("A roster with this name exists.",
            (await Assert.ThrowsAsync<DomainException>(() => directory.SaveRosterAsync(sales, new RosterInput("NOC", "Europe/Moscow", 0, 1, start, [oleg]), "admin"))).Message);
        Assert.Equal("There is no such on-call roster.",
            (await Assert.ThrowsAsync<DomainException>(() => directory.SaveRosterAsync(9999, new RosterInput("New", "Europe/Moscow", 0, 1, start, [oleg]), "admin"))).Message);

        Assert.Equal(noc, await directory.SaveRosterAsync(noc, new RosterInput("NOC night", "Asia/Yekaterinburg", 1200, 2, start, [oleg, anna]), "admin"));
        var rosters = await directory.RostersAsync();
        Assert.Equal(["NOC night", "Sales"], rosters.Select(r => r.Roster.Name));
        var changed = rosters[0].Roster;
        Assert.Equal(("Asia/Yekaterinburg", 1200, 2), (changed.TimeZone, changed.HandoverMinute, changed.ShiftDays));
        Assert.Equal([oleg, anna], changed.Members);
    }
}
