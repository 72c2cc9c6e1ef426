using Portal.Domain.Clients;

namespace Portal.Tests.Domain;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("+7 916 123-45-67", "+79161234567")]
    [InlineData("8 (916) 123-45-67", "+79161234567")]
    [InlineData("9161234567", "+79161234567")]
    [InlineData("+7-999-000-11-22", "+79990001122")]
    public void TryParse_RussianMobileInAnyCommonFormat_ReturnsE164(string input, string expected)
    {
        Assert.True(PhoneNumber.TryParse(input, out var phone, out var error), error);
        Assert.Equal(expected, phone.Value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello", "not a phone number")]
    [InlineData("+7 916 123", "not a valid phone number")]
    [InlineData("+7 495 123-45-67", "not a mobile number")]
    public void TryParse_BadInput_SaysWhy(string input, string reason)
    {
        Assert.False(PhoneNumber.TryParse(input, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("+79161234567", "MTS")]
    [InlineData("+79261234567", "MegaFon")]
    [InlineData("+79031234567", "Beeline")]
    [InlineData("+79501234567", "T2")]
    [InlineData("+79401234567", "Other")]
    [InlineData("+12025550123", "Other")]
    public void MobileOperators_FromTheDefCode(string phone, string expected)
    {
        Assert.Equal(expected, MobileOperators.Of(phone));
        if (expected != "Other")
        {
            Assert.Equal(expected, new Client(PhoneNumber.FromTrusted(phone), null, null, DateTime.UtcNow).Operator);
        }
    }
}
