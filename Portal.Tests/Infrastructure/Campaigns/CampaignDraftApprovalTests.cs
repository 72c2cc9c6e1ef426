using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Infrastructure.Campaigns;

namespace Portal.Tests.Infrastructure.Campaigns;

public class CampaignDraftApprovalTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ApprovedDraft_WhoseTextChanges_NeedsApprovingAgain_ButASaveWithoutChangesKeepsIt()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "author", Now, new CampaignSettings { SegmentId = 1, Body = "Hi" }) { RequiresApproval = true };
        c.Approve("boss", Now);
        var same = CampaignDraft.From(c);
        same.ApplyTo(c, Now);
        Assert.Equal("boss", c.ApprovedBy);

        var changed = CampaignDraft.From(c);
        changed.Settings = changed.Settings with { Body = "Hi, and 50 % off everything" };
        changed.ApplyTo(c, Now);
        Assert.Null(c.ApprovedAt);
        var e = Assert.Throws<DomainException>(() => c.Schedule(Now, Now));
        Assert.Contains("approval", e.Message);
    }

    [Fact]
    public void ApprovedDraft_Renamed_NeedsApprovingAgain_AsBeforeTheSettingsWereOneValue()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "author", Now, new CampaignSettings { SegmentId = 1, Body = "Hi" }) { RequiresApproval = true };
        c.Approve("boss", Now);
        var renamed = CampaignDraft.From(c);
        renamed.Name = "y";
        renamed.ApplyTo(c, Now);
        Assert.Equal(("y", (DateTime?)null), (c.Name, c.ApprovedAt));
    }
}
