using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Domain.Departments;
using Portal.Domain.Retention;

namespace Portal.Tests.Domain.Access;

/// <summary>Issue 21 (mutation testing): department scopes and sandbox partitions, masks at their edges, roles, departments, retention runs.</summary>
public class AccessTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Scope_Everything_AllowsEveryDepartment()
    {
        var all = DepartmentScope.Everything;
        Assert.Equal((true, (int?)null, (int?)null), (all.All, all.DepartmentId, all.NewItemsDepartment));
        Assert.True(all.Allows(5));
        Assert.True(all.Allows(null));
        Assert.True(new DepartmentScope(true, 3).Allows(4));
    }

    [Fact]
    public void Scope_OfADepartment_AllowsItsOwnAndShared()
    {
        var scope = DepartmentScope.Of(3);
        Assert.Equal((false, (int?)3, (int?)3), (scope.All, scope.DepartmentId, scope.NewItemsDepartment));
        Assert.True(scope.Allows(3));
        Assert.True(scope.Allows(null));
        Assert.False(scope.Allows(4));
        var none = DepartmentScope.Of(null);
        Assert.True(none.Allows(null));
        Assert.False(none.Allows(3));
    }

    [Fact]
    public void Scope_Partitions_RealAndSandbox()
    {
        var real = DepartmentScope.Of(3);
        Assert.False(real.InSandbox);
        Assert.Null(real.SandboxOwnerId);
        Assert.True(real.InPartition(null));
        Assert.False(real.InPartition("u1"));
        real.CheckPartition(null);
        Assert.Equal("This item belongs to a training sandbox: it cannot be opened or changed outside it.",
            Assert.Throws<DomainException>(() => real.CheckPartition("u1")).Message);

        var sandbox = real.InSandboxOf("u1");
        Assert.True(sandbox.InSandbox);
        Assert.Equal(("u1", (int?)3, false), (sandbox.SandboxOwnerId, sandbox.DepartmentId, sandbox.All));
        Assert.True(sandbox.InPartition("u1"));
        Assert.False(sandbox.InPartition("U1"));
        Assert.False(sandbox.InPartition(null));
        sandbox.CheckPartition("u1");
        Assert.Equal("This item is real data: it cannot be opened or changed from the training sandbox.",
            Assert.Throws<DomainException>(() => sandbox.CheckPartition(null)).Message);
        Assert.Equal("This item is real data: it cannot be opened or changed from the training sandbox.",
            Assert.Throws<DomainException>(() => sandbox.CheckPartition("u2")).Message);
        Assert.Equal("A sandbox belongs to a user.", Assert.Throws<DomainException>(() => real.InSandboxOf(" ")).Message);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("+7", "**")]
    [InlineData("123456", "******")]
    [InlineData("1234567", "123**67")]
    [InlineData("12345678", "1234**78")]
    [InlineData("123456789", "12345**89")]
    [InlineData("+4915112345678", "+4915*******78")]
    public void MaskPhone_AtItsEdges(string? phone, string expected) => Assert.Equal(expected, PersonalDataMask.Phone(phone));

    [Fact]
    public void MaskName_AndText_Edges()
    {
        Assert.Equal("", PersonalDataMask.Name(""));
        Assert.Equal("A", PersonalDataMask.Name("A"));
        Assert.Equal("", PersonalDataMask.Text(""));
        Assert.Equal("a*-c*_e* *** *", PersonalDataMask.Text("ab-cd_ef 7x1 9"));
        Assert.Equal("•••", PersonalDataMask.Hidden);
    }

    [Fact]
    public void Roles_TheSeven_TwoSeePersonalData()
    {
        Assert.Equal(["Administrator", "CampaignManager", "Manager", "Analyst", "Trainer", "Auditor", "AlertInitiator"], Roles.All);
        Assert.Equal(["Administrator", "CampaignManager"], Roles.WithPersonalData);
        Assert.False(Roles.SeesPersonalData([]));
        Assert.False(Roles.SeesPersonalData(["administrator"]));
    }

    [Fact]
    public void Department_Name_IsOneTo100Characters()
    {
        Assert.Equal("Sales", new Department("  Sales ").Name);
        Assert.Equal(100, new Department(new string('d', 100)).Name.Length);
        Assert.Equal("A department name is 1 to 100 characters.", Assert.Throws<DomainException>(() => new Department(new string('d', 101))).Message);
        Assert.Equal("A department name is 1 to 100 characters.", Assert.Throws<DomainException>(() => new Department(" ")).Message);
        var d = new Department("a");
        d.Rename(" b ");
        Assert.Equal("b", d.Name);
        Assert.Throws<DomainException>(() => d.Rename(""));
        Assert.Equal("b", d.Name);
    }

    [Fact]
    public void RetentionRun_Finish()
    {
        var run = new RetentionRun(Now);
        Assert.Equal((Now, (DateTime?)null, false), (run.StartedAt, run.FinishedAt, run.Succeeded));
        run.Finish(Now.AddMinutes(1), null);
        Assert.Equal(((DateTime?)Now.AddMinutes(1), true, (string?)null), (run.FinishedAt, run.Succeeded, run.Error));
        run.Finish(Now.AddMinutes(2), new string('e', 1001));
        Assert.Equal((false, new string('e', 1000)), (run.Succeeded, run.Error));
        run.Finish(Now.AddMinutes(2), new string('e', 1000));
        Assert.Equal(1000, run.Error!.Length);
    }
}
