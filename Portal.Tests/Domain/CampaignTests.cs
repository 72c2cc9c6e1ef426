using Portal.Domain.Campaigns;
using Portal.Domain.Common;

namespace Portal.Tests.Domain;

public class CampaignTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static Campaign Ready()
    {
        var c = new Campaign("Black Friday", 1, MessagePurpose.Advertising, "campaigns@portal.local", Now, new CampaignSettings { SegmentId = 1, TemplateId = 1, Body = "Hello {{ client.first_name }}" });
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

    [Fact]
    public void Schedule_NeedsApproval_UntilAnotherUserApproves()
    {
        var c = Ready();
        c.RequiresApproval = true;
        var refused = Assert.Throws<DomainException>(() => c.Schedule(Now, Now));
        Assert.Contains("approval", refused.Message);
        Assert.Throws<DomainException>(() => c.Approve("CAMPAIGNS@portal.local", Now));
        c.Approve("manager@portal.local", Now);
        c.Schedule(Now, Now);
        Assert.Equal(CampaignStatus.Scheduled, c.Status);
    }

    [Fact]
    public void ReturnForApproval_FromScheduled_ClearsTheApprovalAndWhatItCovered_AndSchedulingNeedsANewOne()
    {
        var c = Ready();
        c.RequiresApproval = true;
        Assert.Throws<DomainException>(() => c.BindApproval("s1v1", 1_000, 350m));
        c.Approve("manager@portal.local", Now);
        c.BindApproval(Campaign.AudienceFingerprint(1, 1, [(7, 2), (3, 5)]), 1_000, 350m);
        Assert.Equal("s1v1;x3v5;x7v2", c.ApprovedAudience);
        c.Schedule(Now, Now);

        c.ReturnForApproval(Now);

        Assert.Equal(CampaignStatus.Draft, c.Status);
        Assert.True(c.RequiresApproval);
        Assert.Equal((null, null, null, null), (c.ApprovedAt, c.ApprovedAudience, c.ApprovedRecipients, c.ApprovedCost));
        Assert.Throws<DomainException>(() => c.Schedule(Now, Now));
        Assert.Throws<DomainException>(() => c.ReturnForApproval(Now));
    }

    [Theory]
    [InlineData("PORTAL", true)]
    [InlineData("My Shop.ru", true)]
    [InlineData("+79001234567", true)]
    [InlineData("TwelveLetter", false)]
    [InlineData("Магазин", false)]
    [InlineData("12", false)]
    [InlineData("1234", true)]
    public void SenderId_AlphanumericUpTo11_OrNumeric(string sender, bool valid)
    {
        var c = Ready();
        var settings = c.Settings with { SenderId = sender };
        if (valid) c.ChangeSettings(settings, null, Now);
        else Assert.Throws<DomainException>(() => c.ChangeSettings(settings, null, Now));
        Assert.Equal(valid ? sender : null, c.Settings.SenderId);
    }

    [Theory]
    [InlineData(20 * 60 + 59, false)]
    [InlineData(21 * 60, true)]
    [InlineData(23 * 60 + 59, true)]
    [InlineData(0, true)]
    [InlineData(8 * 60 + 59, true)]
    [InlineData(9 * 60, false)]
    [InlineData(12 * 60, false)]
    public void QuietHours_CrossMidnight(int localMinute, bool quiet)
    {
        Assert.Equal(quiet, Ready().IsQuiet(localMinute));
    }

    [Fact]
    public void Settings_OutOfRange_AreRefusedWithTheRule()
    {
        var c = Ready();
        Assert.Contains("control group", Assert.Throws<DomainException>(() => c.ChangeSettings(c.Settings with { ControlGroupPercent = 51 }, null, Now)).Message);
        Assert.Contains("exclusion", Assert.Throws<DomainException>(() => c.ChangeSettings(c.Settings with { ControlGroupPercent = 10, ExcludedSegmentIds = [1] }, null, Now)).Message);
        Assert.Equal(0, c.Settings.ControlGroupPercent);
    }
}

public class ControlGroupTests
{
    [Fact]
    public void ControlGroup_IsStable_AndCloseToTheShare()
    {
        var inControl = 0;
        for (long client = 1; client <= 100_000; client++)
        {
            var a = ControlGroup.IsControl(7, client, 10);
            Assert.Equal(a, ControlGroup.IsControl(7, client, 10));
            if (a) inControl++;
        }
        Assert.InRange(inControl, 9_500, 10_500);
        Assert.False(ControlGroup.IsControl(7, 1, 0));
    }

    [Theory]
    [InlineData(7, 123456789L, 5163)]
    [InlineData(int.MaxValue, 9000000000L, 3899)]
    public void ControlGroup_Bucket_IsTheValuePostgreSqlComputes(int campaign, long client, int bucket)
    {
        // Values printed by portal_control_bucket (ControlGroupSql) on PostgreSQL 15.
        Assert.Equal(bucket, ControlGroup.Bucket(campaign, client));
    }

    [Fact]
    public void ControlGroup_DiffersBetweenCampaigns()
    {
        var same = 0;
        for (long client = 1; client <= 10_000; client++)
        {
            if (ControlGroup.IsControl(1, client, 50) == ControlGroup.IsControl(2, client, 50)) same++;
        }
        Assert.InRange(same, 4_500, 5_500);
    }
}
