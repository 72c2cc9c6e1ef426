using Portal.Domain.Alerts;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Staff;

namespace Portal.Tests.Domain.Staff;

/// <summary>Issue 21 (mutation testing): employees, groups, escalation chains and their levels' bounds and texts.</summary>
public class StaffTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private static readonly PhoneNumber Phone = PhoneNumber.Parse("+79161234567");

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    private static Employee NewEmployee() => new("  Ivan Petrov  ", Phone, Now);

    private static void Update(Employee e, string name = "Ivan", string? email = null, string? department = null, string? position = null,
        string? location = null, string? zone = null, bool active = true) =>
        e.Update(name, Phone, email, department, position, location, zone, active, Now.AddDays(1));

    [Fact]
    public void NewEmployee_IsActive_NameTrimmed()
    {
        var e = NewEmployee();
        Assert.Equal(("Ivan Petrov", "+79161234567", true, Now, Now), (e.FullName, e.Phone, e.Active, e.CreatedAt, e.UpdatedAt));
        Assert.Null(e.Email);
        Assert.Null(e.TimeZone);
    }

    [Fact]
    public void Name_IsOneTo200Characters_AfterTrimming()
    {
        const string message = "A name is 1 to 200 characters.";
        Assert.Equal(message, Refused(() => new Employee(" ", Phone, Now)));
        Assert.Equal(message, Refused(() => new Employee("", Phone, Now)));
        Assert.Equal(message, Refused(() => new Employee(new string('n', 201), Phone, Now)));
        Assert.Equal(200, new Employee(" " + new string('n', 200) + " ", Phone, Now).FullName.Length);
        Assert.Equal(message, Refused(() => Update(NewEmployee(), name: "")));
    }

    [Fact]
    public void Update_TrimsFields_EmptyBecomesNull()
    {
        var e = NewEmployee();
        e.Update(" Anna ", PhoneNumber.Parse("+79031234567"), " a@b.ru ", " IT ", " Engineer ", " Moscow ", " Europe/Samara ", false, Now.AddDays(1));
        Assert.Equal(("Anna", "+79031234567", "a@b.ru", "IT", "Engineer", "Moscow", "Europe/Samara"), (e.FullName, e.Phone, e.Email, e.Department, e.Position, e.Location, e.TimeZone));
        Assert.Equal((false, Now.AddDays(1), Now), (e.Active, e.UpdatedAt, e.CreatedAt));
        Update(e, email: "  ", department: "", position: null, location: " ", zone: "");
        Assert.Null(e.Email);
        Assert.Null(e.Department);
        Assert.Null(e.Position);
        Assert.Null(e.Location);
        Assert.Null(e.TimeZone);
        Assert.True(e.Active);
    }

    [Fact]
    public void Update_EmailNeedsAnAt_FieldsHaveTheirLimits()
    {
        var e = NewEmployee();
        Assert.Equal("The e-mail address is not valid.", Refused(() => Update(e, email: "ivan.example.com")));
        Update(e, email: new string('e', 199) + "@");
        Assert.Equal(200, e.Email!.Length);
        Assert.Equal("A field is at most 200 characters.", Refused(() => Update(e, email: new string('e', 200) + "@")));
        foreach (var (field, max) in new (int, int)[] { (0, 100), (1, 100), (2, 100), (3, 64) })
        {
            string ok = new('x', max), over = new('x', max + 1);
            Update(e, department: field == 0 ? ok : null, position: field == 1 ? ok : null, location: field == 2 ? ok : null, zone: field == 3 ? ok : null);
            Assert.Equal($"A field is at most {max} characters.", Refused(() =>
                Update(e, department: field == 0 ? over : null, position: field == 1 ? over : null, location: field == 2 ? over : null, zone: field == 3 ? over : null)));
        }
    }

    [Fact]
    public void Group_StaticHasNoValue_RuleGroupsNeedOne()
    {
        var g = new EmployeeGroup("  Night shift ", GroupRule.Static, "ignored");
        Assert.Equal(("Night shift", GroupRule.Static, (string?)null), (g.Name, g.Rule, g.RuleValue));
        g.Change("IT", GroupRule.Department, "  IT dept ");
        Assert.Equal(("IT", GroupRule.Department, "IT dept"), (g.Name, g.Rule, g.RuleValue));
        Assert.Equal("A rule group needs the value to match.", Refused(() => g.Change("IT", GroupRule.Location, " ")));
        Assert.Equal("A rule group needs the value to match.", Refused(() => g.Change("IT", GroupRule.Position, null)));
        Assert.Equal("A group's name is 1 to 100 characters.", Refused(() => g.Change(new string('g', 101), GroupRule.Static, null)));
        Assert.Equal("A group's name is 1 to 100 characters.", Refused(() => g.Change(" ", GroupRule.Static, null)));
        Assert.Equal(100, new EmployeeGroup(new string('g', 100) + " ", GroupRule.Static, null).Name.Length);
        var member = new EmployeeGroupMember(3, 4);
        Assert.Equal((3, 4), (member.GroupId, member.EmployeeId));
    }

    [Fact]
    public void Chain_Name_IsOneTo100Characters()
    {
        Assert.Equal("Night", new EscalationChain("  Night ").Name);
        Assert.Equal(100, new EscalationChain(new string('c', 100) + " ").Name.Length);
        Assert.Equal("A chain's name is 1 to 100 characters.", Refused(() => new EscalationChain(new string('c', 101))));
        Assert.Equal("A chain's name is 1 to 100 characters.", Refused(() => new EscalationChain("")));
        var chain = new EscalationChain("a");
        chain.Rename(" b ");
        Assert.Equal("b", chain.Name);
    }

    [Fact]
    public void Chain_NumbersLevelsFromOne_AtMost20()
    {
        var chain = new EscalationChain("Night");
        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal(i, chain.AddLevel([1], [], TimeSpan.FromMinutes(5)).Number);
        }
        Assert.Equal(20, chain.Levels.Count);
        Assert.Equal("A chain has at most 20 levels.", Refused(() => chain.AddLevel([1], [], TimeSpan.FromMinutes(5))));
        Assert.Equal(20, chain.Levels.Count);
    }

    [Fact]
    public void Level_KeepsDistinctIds_AndDefaults()
    {
        var level = new EscalationChain("c").AddLevel([3, 1, 3], [7, 7], TimeSpan.FromMinutes(5));
        Assert.Equal(("3 1", "7", ""), (level.EmployeeIds, level.GroupIds, level.RosterIds));
        Assert.Equal([3, 1], level.Employees);
        Assert.Equal([7], level.Groups);
        Assert.Empty(level.Rosters);
        Assert.Equal((300, RequiredAcks.One, 1, 0, 0), (level.TimeoutSeconds, level.Required, level.RequiredCount, level.Repeats, level.RepeatIntervalSeconds));
        var rosterOnly = new EscalationChain("c").AddLevel([], [], TimeSpan.FromSeconds(1), rosterIds: [4, 4, 2]);
        Assert.Equal([4, 2], rosterOnly.Rosters);
        Assert.Equal(1, rosterOnly.TimeoutSeconds);
        Assert.Equal([9], new EscalationChain("c").AddLevel([], [9], TimeSpan.FromDays(1)).Groups);
    }

    [Fact]
    public void Level_Bounds()
    {
        Level ok = (repeats, interval, required, count, timeout) => new EscalationChain("c").AddLevel([1], [], timeout ?? TimeSpan.FromMinutes(5), required, count, repeats, interval);
        Assert.Equal("A level names at least one person, group or on-call roster.", Refused(() => new EscalationChain("c").AddLevel([], [], TimeSpan.FromMinutes(1))));
        const string timeout = "A level's timeout is 1 second to 24 hours.";
        Assert.Equal(timeout, Refused(() => ok(0, null, RequiredAcks.One, 1, TimeSpan.FromMilliseconds(999))));
        Assert.Equal(timeout, Refused(() => ok(0, null, RequiredAcks.One, 1, TimeSpan.FromDays(1).Add(TimeSpan.FromSeconds(1)))));
        Assert.Equal(86400, ok(0, null, RequiredAcks.One, 1, TimeSpan.FromDays(1)).TimeoutSeconds);

        const string count = "Ask for 1 to 1000 confirmations per group.";
        Assert.Equal(count, Refused(() => ok(0, null, RequiredAcks.Count, 0, null)));
        Assert.Equal(count, Refused(() => ok(0, null, RequiredAcks.Count, 1001, null)));
        Assert.Equal(1000, ok(0, null, RequiredAcks.Count, 1000, null).RequiredCount);
        Assert.Equal(1, ok(0, null, RequiredAcks.Count, 1, null).RequiredCount);
        Assert.Equal((RequiredAcks.All, 1), (ok(0, null, RequiredAcks.All, 0, null).Required, ok(0, null, RequiredAcks.All, 5000, null).RequiredCount));

        Assert.Equal("A level repeats 0 to 10 times.", Refused(() => ok(-1, null, RequiredAcks.One, 1, null)));
        Assert.Equal("A level repeats 0 to 10 times.", Refused(() => ok(11, null, RequiredAcks.One, 1, null)));
        Assert.Equal(10, ok(10, null, RequiredAcks.One, 1, null).Repeats);

        const string interval = "The repeat interval is 1 second to 24 hours.";
        Assert.Equal(interval, Refused(() => ok(1, TimeSpan.FromMilliseconds(500), RequiredAcks.One, 1, null)));
        Assert.Equal(interval, Refused(() => ok(1, TimeSpan.FromHours(25), RequiredAcks.One, 1, null)));
        Assert.Equal(1, ok(1, TimeSpan.FromSeconds(1), RequiredAcks.One, 1, null).RepeatIntervalSeconds);
        Assert.Equal(86400, ok(1, TimeSpan.FromDays(1), RequiredAcks.One, 1, null).RepeatIntervalSeconds);
        // No repeats: the interval is not checked nor kept.
        Assert.Equal(0, ok(0, TimeSpan.FromHours(25), RequiredAcks.One, 1, null).RepeatIntervalSeconds);
        // Repeats without an interval repeat at the timeout.
        Assert.Equal(300, ok(2, null, RequiredAcks.One, 1, null).RepeatIntervalSeconds);
    }

    private delegate EscalationLevel Level(int repeats, TimeSpan? interval, RequiredAcks required, int count, TimeSpan? timeout);

    [Fact]
    public void WaitAfterSend_IsTheIntervalWhileRepeatsRemain_ThenTheTimeout()
    {
        var level = new EscalationChain("c").AddLevel([1], [], TimeSpan.FromMinutes(10), repeats: 2, repeatInterval: TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromMinutes(1), level.WaitAfterSend(0));
        Assert.Equal(TimeSpan.FromMinutes(1), level.WaitAfterSend(1));
        Assert.Equal(TimeSpan.FromMinutes(10), level.WaitAfterSend(2));
        Assert.Equal(TimeSpan.FromMinutes(10), level.WaitAfterSend(3));
    }
}
