using Portal.Domain.Campaigns;
using Portal.Domain.Common;

namespace Portal.Tests.Domain;

public class CampaignTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static Campaign Ready()
    {
        var c = new Campaign("Black Friday", 1, MessagePurpose.Advertising, "campaigns@portal.local", Now) { SegmentId = 1, TemplateId = 1 };
        return c;
    }

    [Fact]
    public void Lifecycle_HappyPath_EndsCompleted()
    {
        var c = Ready();
        c.Schedule(Now.AddHours(1), Now);
        c.Start(Now.AddHours(1));
        c.Pause(Now.AddHours(2));
        c.Resume(Now.AddHours(3));
        c.Complete(Now.AddHours(4));
        Assert.Equal(CampaignStatus.Completed, c.Status);
        Assert.Equal(Now.AddHours(4), c.FinishedAt);
    }

    [Fact]
    public void Schedule_WithoutAudience_SaysWhatIsMissing()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "u", Now);
        var e = Assert.Throws<DomainException>(() => c.Schedule(Now, Now));
        Assert.Contains("audience", e.Message);
    }

    [Fact]
    public void Schedule_InThePast_StartsNow()
    {
        var c = Ready();
        c.Schedule(Now.AddDays(-1), Now);
        Assert.Equal(Now, c.ScheduledAt);
    }

    [Fact]
    public void Transitions_FromTheWrongState_AreRefused()
    {
        var c = Ready();
        Assert.Throws<DomainException>(() => c.Start(Now));
        Assert.Throws<DomainException>(() => c.Pause(Now));
        c.Cancel(Now);
        Assert.Equal(CampaignStatus.Cancelled, c.Status);
        Assert.Throws<DomainException>(() => c.Cancel(Now));
        Assert.Throws<DomainException>(() => c.Fail("x", Now));
    }
}
