using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Sandbox;

namespace Portal.Tests.Domain.Sandbox;

public sealed class SandboxPartitionTests
{
    [Theory]
    [InlineData(0, "+79990000000")]
    [InlineData(23, "+79990000023")]
    [InlineData(99_999, "+79990099999")]
    public void SyntheticPhone_IsAValidMobileInTheReservedBlock(int n, string expected)
    {
        var phone = SandboxPartition.SyntheticPhone(n);
        Assert.Equal(expected, phone.Value);
        Assert.True(SandboxPartition.IsSyntheticPhone(phone.Value));
        Assert.Equal(phone, PhoneNumber.Parse(expected));
    }

    [Theory]
    [InlineData("+79990100000")]
    [InlineData("+79161234567")]
    [InlineData("+7999000000")]
    [InlineData("+799900000001")]
    [InlineData(null)]
    public void IsSyntheticPhone_OutsideTheBlock_IsFalse(string? phone) => Assert.False(SandboxPartition.IsSyntheticPhone(phone));

    [Fact]
    public void SyntheticPhone_PastTheBlock_Throws() => Assert.Throws<DomainException>(() => SandboxPartition.SyntheticPhone(SandboxPartition.PhoneBlockSize));

    [Fact]
    public void PlaceInSandbox_NeedsAnOwner()
    {
        var campaign = new Campaign("Practice", null, MessagePurpose.Service, "t", DateTime.UtcNow);
        Assert.Throws<DomainException>(() => campaign.PlaceInSandbox(" "));
        campaign.PlaceInSandbox("trainee");
        Assert.Equal("trainee", campaign.SandboxOwnerId);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(SandboxPartition.PhoneBlockSize)]
    public void SyntheticPhone_OutsideTheBlock_IsRefused(int n)
    {
        var error = Assert.Throws<DomainException>(() => SandboxPartition.SyntheticPhone(n));
        Assert.Equal("The sandbox phone block is full: reset some sandboxes.", error.Message);
    }

    [Fact]
    public void Owner_UpTo450Characters_IsKept_LongerOrBlankIsRefused()
    {
        var longest = new string('u', 450);
        Assert.Equal(longest, SandboxPartition.Owner(longest));
        Assert.Equal("A sandbox belongs to a user.", Assert.Throws<DomainException>(() => SandboxPartition.Owner(longest + "u")).Message);
        Assert.Equal("A sandbox belongs to a user.", Assert.Throws<DomainException>(() => SandboxPartition.Owner(" ")).Message);
    }
}
