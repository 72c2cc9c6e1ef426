using System.Security.Claims;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;

namespace Portal.Tests.Components;

/// <summary>Who sees a campaign: found by the browser journey, where a campaign manager without a department lost the draft the wizard had just saved.</summary>
public class CampaignAccessTests
{
    private static ClaimsPrincipal User(string name, string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));

    [Fact]
    public void CampaignManagerWithoutDepartment_SeesTheirOwnCampaign_NotAnotherAuthorsOne()
    {
        var own = new Campaign("Mine", null, MessagePurpose.Service, "cm@test.local", DateTime.UtcNow);
        var other = new Campaign("Theirs", null, MessagePurpose.Service, "someone@test.local", DateTime.UtcNow);
        var user = User("cm@test.local", Roles.CampaignManager);
        Assert.True(user.CanSee(null, own));
        Assert.False(user.CanSee(null, other));
    }

    [Fact]
    public void CampaignManager_SeesTheirDepartment_NotAnother()
    {
        var user = User("cm@test.local", Roles.CampaignManager);
        Assert.True(user.CanSee(1, new Campaign("A", 1, MessagePurpose.Service, "x@test.local", DateTime.UtcNow)));
        Assert.False(user.CanSee(1, new Campaign("B", 2, MessagePurpose.Service, "x@test.local", DateTime.UtcNow)));
        Assert.True(User("m@test.local", Roles.Manager).CanSee(null, new Campaign("B", 2, MessagePurpose.Service, "x@test.local", DateTime.UtcNow)));
    }
}
