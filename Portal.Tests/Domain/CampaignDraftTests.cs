using Portal.Domain.Campaigns;
using Portal.Domain.Common;

namespace Portal.Tests.Domain;

/// <summary>What the wizard may still change on a draft, and nothing after it.</summary>
public class CampaignDraftTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ChangeSettings_AtATime_KeepsTheLaunchTimeUntilScheduled()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "u", Now);
        c.ChangeSettings(new CampaignSettings { SegmentId = 1, Body = "Hi", ScheduleKind = ScheduleKind.At }, Now.AddDays(2), Now);
        Assert.Equal(Now.AddDays(2), c.ScheduledAt);
        c.ChangePurpose(MessagePurpose.Advertising, Now);
        Assert.Equal(MessagePurpose.Advertising, c.Purpose);
    }

    [Fact]
    public void SettingsAndPurpose_AfterScheduling_AreRefused()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "u", Now, new CampaignSettings { SegmentId = 1, Body = "Hi" });
        c.Schedule(Now, Now);
        Assert.Throws<DomainException>(() => c.ChangeSettings(c.Settings with { ScheduleKind = ScheduleKind.At }, Now.AddDays(1), Now));
        Assert.Throws<DomainException>(() => c.ChangePurpose(MessagePurpose.Advertising, Now));
        Assert.Equal(Now, c.ScheduledAt);
        Assert.Equal(MessagePurpose.Service, c.Purpose);
    }

    [Fact]
    public void WithdrawApproval_OnADraft_MakesItNeedApprovalAgain()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "author", Now, new CampaignSettings { SegmentId = 1, Body = "Hi" }) { RequiresApproval = true };
        c.Approve("boss", Now);
        c.WithdrawApproval(Now);
        Assert.Equal(((string?)null, (DateTime?)null), (c.ApprovedBy, c.ApprovedAt));
        Assert.Throws<DomainException>(() => c.Schedule(Now, Now));
    }
}
