using Portal.Domain.Common;
using Portal.Domain.Departments;

namespace Portal.Tests.Domain.Departments;

public class DepartmentTests
{
    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void New_WithoutAName_IsRefused(string name) =>
        Assert.Equal("A department name is 1 to 100 characters.", Assert.Throws<DomainException>(() => new Department(name)).Message);

    [Fact]
    public void Rename_Trims_AndRefuses101Characters_KeepingTheOldName()
    {
        var department = new Department(" Retail ");
        Assert.Equal("Retail", department.Name);
        Assert.Throws<DomainException>(() => department.Rename(new string('d', 101)));
        Assert.Equal("Retail", department.Name);
        department.Rename(new string('d', 100));
        Assert.Equal(100, department.Name.Length);
    }
}
