using Portal.Domain.Access;

namespace Portal.Tests.Domain;

public class PersonalDataMaskTests
{
    [Fact]
    public void Phone_KeepsCountryOperatorAndLastTwoDigits()
    {
        Assert.Equal("+7916*****67", PersonalDataMask.Phone("+79161234567"));
    }

    [Fact]
    public void Name_KeepsTheInitialOnly()
    {
        Assert.Equal("И*****", PersonalDataMask.Name("Иванов"));
        Assert.Equal("", PersonalDataMask.Name(null));
    }

    [Theory]
    [InlineData(new[] { Roles.Administrator }, true)]
    [InlineData(new[] { Roles.CampaignManager, Roles.Analyst }, true)]
    [InlineData(new[] { Roles.Analyst }, false)]
    [InlineData(new[] { Roles.Manager, Roles.Auditor, Roles.Trainer }, false)]
    public void SeesPersonalData_OnlyRolesThatNeedIt(string[] roles, bool expected)
    {
        Assert.Equal(expected, Roles.SeesPersonalData(roles));
    }
}
