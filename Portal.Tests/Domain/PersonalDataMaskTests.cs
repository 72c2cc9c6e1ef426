using Portal.Domain.Access;

namespace Portal.Tests.Domain;

public class PersonalDataMaskTests
{
    [Fact]
    public void Phone_KeepsCountryOperatorAndLastTwoDigits()
    {
        Assert.Equal("+7916*****67", PersonalDataMask.Phone("+79161234567"));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("+7916", "*****")]
    [InlineData("123456", "******")]
    public void Phone_EmptyOrTooShortToKeepAnything_IsAllStars(string? phone, string masked) =>
        Assert.Equal(masked, PersonalDataMask.Phone(phone));

    [Fact]
    public void Name_KeepsTheInitialOnly()
    {
        Assert.Equal("И*****", PersonalDataMask.Name("Иванов"));
        Assert.Equal("", PersonalDataMask.Name(null));
    }

    [Fact]
    public void Text_KeepsEachWordsFirstLetter_AndHidesEveryDigit()
    {
        // Issue 14: a reply may carry a name, a card or a phone: none of it readable to a masked role.
        Assert.Equal("М*** з**** П***, к**** ****-****, т**. +***********", PersonalDataMask.Text("Меня зовут Петр, карта 4111-2222, тел. +79161234567"));
        Assert.Equal("С***", PersonalDataMask.Text("СТОП"));
        Assert.Equal("", PersonalDataMask.Text(null));
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
