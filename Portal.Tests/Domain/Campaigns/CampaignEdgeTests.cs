using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;

namespace Portal.Tests.Domain.Campaigns;

/// <summary>
/// The campaign state machine's guards word for word, each transition from a state that must refuse it,
/// the name, quiet-hour and validity bounds on both sides, and the control group's cut (issue 21: the
/// survivors of the whole-domain mutation run in the Campaigns folder).
/// </summary>
public sealed class CampaignEdgeTests
{
    private static readonly DateTime Now = new(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);

    private static CampaignSettings Sendable => new() { SegmentId = 1, TemplateId = 1, Body = "Hello" };

    private static Campaign Draft(CampaignSettings? settings = null) =>
        new("Black Friday", 1, MessagePurpose.Service, "author@portal.local", Now, settings ?? Sendable);

    private static Campaign In(CampaignStatus status)
    {
        var c = Draft();
        if (status == CampaignStatus.Draft) return c;
        c.Schedule(Now.AddHours(1), Now);
        if (status == CampaignStatus.Scheduled) return c;
        c.Start(Now.AddHours(1));
        if (status == CampaignStatus.Sending) return c;
        if (status == CampaignStatus.Paused) { c.Pause(Now.AddHours(2)); return c; }
        if (status == CampaignStatus.Completed) { c.Complete(Now.AddHours(2)); return c; }
        if (status == CampaignStatus.Failed) { c.Fail("broken", Now.AddHours(2)); return c; }
        c.Cancel(Now.AddHours(2));
        return c;
    }

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    [Fact]
    public void Name_IsTrimmed_AndOneTo200Characters()
    {
        var c = new Campaign("  Spring sale  ", null, MessagePurpose.Service, "author@portal.local", Now);
        Assert.Equal("Spring sale", c.Name);
        Assert.Equal("author@portal.local", c.CreatedBy);
        c.Rename(new string('n', 200));
        Assert.Equal(200, c.Name.Length);
        foreach (var bad in new[] { "", "   ", new string('n', 201) })
        {
            Assert.Equal("A campaign name is 1 to 200 characters.", Refused(() => c.Rename(bad)));
        }
        Assert.Equal(200, c.Name.Length);
    }

    [Fact]
    public void PlaceInSandbox_OnlyANewRow()
    {
        var c = Draft();
        typeof(Campaign).GetProperty(nameof(Campaign.Id))!.SetValue(c, 7);
        Assert.Equal("Only a new row can be placed in a sandbox.", Refused(() => c.PlaceInSandbox("trainee-1")));
        Assert.Null(c.SandboxOwnerId);
    }

    [Fact]
    public void EachTransition_FromTheWrongState_SaysWhichStateItNeeds()
    {
        Assert.Equal("Only a Draft campaign can change its purpose; this one is Scheduled.",
            Refused(() => In(CampaignStatus.Scheduled).ChangePurpose(MessagePurpose.Advertising, Now)));
        Assert.Equal("Only a Draft campaign can lose its approval; this one is Scheduled.",
            Refused(() => In(CampaignStatus.Scheduled).WithdrawApproval(Now)));
        Assert.Equal("Only a Scheduled campaign can return for approval; this one is Draft.",
            Refused(() => In(CampaignStatus.Draft).ReturnForApproval(Now)));
        Assert.Equal("Only a Draft campaign can be scheduled; this one is Scheduled.",
            Refused(() => In(CampaignStatus.Scheduled).Schedule(Now, Now)));
        Assert.Equal("Only a Draft campaign can be approved; this one is Sending.",
            Refused(() => In(CampaignStatus.Sending).Approve("manager@portal.local", Now)));
        Assert.Equal("Only a Scheduled campaign can start sending; this one is Paused.",
            Refused(() => In(CampaignStatus.Paused).Start(Now)));
        Assert.Equal("Only a Sending campaign can be paused; this one is Paused.",
            Refused(() => In(CampaignStatus.Paused).Pause(Now)));
        Assert.Equal("Only a Paused campaign can be resumed; this one is Sending.",
            Refused(() => In(CampaignStatus.Sending).Resume(Now)));
        Assert.Equal("Only a Sending campaign can be completed; this one is Paused.",
            Refused(() => In(CampaignStatus.Paused).Complete(Now)));
        Assert.Equal("A Completed campaign cannot be cancelled.", Refused(() => In(CampaignStatus.Completed).Cancel(Now)));
        Assert.Equal("A Draft campaign cannot fail.", Refused(() => In(CampaignStatus.Draft).Fail("x", Now)));
        Assert.Equal("A Cancelled campaign cannot fail.", Refused(() => In(CampaignStatus.Cancelled).Fail("x", Now)));
    }

    [Theory]
    [InlineData(CampaignStatus.Scheduled)]
    [InlineData(CampaignStatus.Sending)]
    [InlineData(CampaignStatus.Paused)]
    public void Fail_FromEachLiveState_RecordsTheReason(CampaignStatus from)
    {
        var c = In(from);
        c.Fail("provider gone", Now.AddHours(5));
        Assert.Equal(CampaignStatus.Failed, c.Status);
        Assert.Equal("provider gone", c.FailureReason);
        Assert.Equal(Now.AddHours(5), c.FinishedAt);
        Assert.Equal(Now.AddHours(5), c.UpdatedAt);
    }

    [Fact]
    public void Goal_IsSetBeforeSending_Only()
    {
        var scheduled = In(CampaignStatus.Scheduled);
        scheduled.SetGoal(new CampaignGoal(GoalEventTypes.Purchase), Now);
        Assert.NotNull(scheduled.Goal);
        foreach (var status in new[] { CampaignStatus.Sending, CampaignStatus.Paused, CampaignStatus.Completed })
        {
            Assert.Equal("A campaign's goal is set before it starts sending.", Refused(() => In(status).SetGoal(null, Now)));
        }
    }

    [Fact]
    public void Approval_Texts_AndTheRunOfANonRecurringCampaign()
    {
        var c = Draft();
        Assert.Equal("Only an approved campaign records what was approved.", Refused(() => c.BindApproval("s1v1", 10, 1m)));
        Assert.Equal("A campaign is approved by a Manager other than its author.", Refused(() => c.Approve("AUTHOR@portal.local", Now)));
        Assert.Equal("Only a recurring campaign has runs.", Refused(() => Campaign.RunOf(c, "run", Now, Now)));
    }

    [Fact]
    public void Schedule_NeedsBothAudienceAndMessage_AndChecksStoredSettingsAgain()
    {
        const string Missing = "A campaign needs an audience and a message before it can be scheduled.";
        Assert.Equal(Missing, Refused(() => Draft(Sendable with { Body = " " }).Schedule(Now, Now)));
        Assert.Equal(Missing, Refused(() => Draft(Sendable with { SegmentId = null }).Schedule(Now, Now)));

        // A row read back from the database is not checked by ChangeSettings: Schedule checks it again.
        var stored = Draft();
        typeof(Campaign).GetProperty(nameof(Campaign.Settings))!.SetValue(stored, Sendable with { ValidityHours = 0 });
        Assert.Equal("Validity is 1 to 72 hours.", Refused(() => stored.Schedule(Now, Now)));
        Assert.Equal(CampaignStatus.Draft, stored.Status);

        var later = Draft();
        later.Schedule(Now.AddHours(3), Now);
        Assert.Equal(Now.AddHours(3), later.ScheduledAt);
    }

    [Theory]
    [InlineData(-1, 0, false)]
    [InlineData(0, 0, true)]
    [InlineData(1439, 0, true)]
    [InlineData(1440, 0, false)]
    [InlineData(0, -1, false)]
    [InlineData(0, 1439, true)]
    [InlineData(0, 1440, false)]
    public void QuietHours_AreTimesOfDay(int from, int to, bool valid)
    {
        var settings = Sendable with { QuietFromMinute = from, QuietToMinute = to };
        if (valid)
        {
            settings.Validate();
            return;
        }
        Assert.Equal("Quiet hours are times of day between 00:00 and 23:59.", Refused(settings.Validate));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(72, true)]
    [InlineData(73, false)]
    public void Validity_IsOneTo72Hours(int hours, bool valid)
    {
        var settings = Sendable with { ValidityHours = hours };
        if (valid)
        {
            settings.Validate();
            return;
        }
        Assert.Equal("Validity is 1 to 72 hours.", Refused(settings.Validate));
    }

    [Theory]
    // Within one day, 01:00 to 02:00: from inclusive, to exclusive.
    [InlineData(60, 120, 59, false)]
    [InlineData(60, 120, 60, true)]
    [InlineData(60, 120, 119, true)]
    [InlineData(60, 120, 120, false)]
    [InlineData(60, 120, 1400, false)]
    // Across midnight, 22:00 to 08:00.
    [InlineData(1320, 480, 1319, false)]
    [InlineData(1320, 480, 1320, true)]
    [InlineData(1320, 480, 0, true)]
    [InlineData(1320, 480, 479, true)]
    [InlineData(1320, 480, 480, false)]
    [InlineData(1320, 480, 600, false)]
    // The same minute twice: no quiet hours.
    [InlineData(600, 600, 600, false)]
    public void IsQuiet_InsideTheWindow(int from, int to, int minute, bool quiet)
    {
        var c = Draft(Sendable with { QuietHoursEnabled = true, QuietFromMinute = from, QuietToMinute = to });
        Assert.Equal(quiet, c.IsQuiet(minute));
        Assert.False(Draft(Sendable with { QuietHoursEnabled = false, QuietFromMinute = from, QuietToMinute = to }).IsQuiet(minute));
    }

    [Fact]
    public void Settings_StartEmpty()
    {
        var empty = new CampaignSettings();
        Assert.Equal("", empty.Body);
        Assert.Empty(empty.ExcludedSegmentIds);
    }

    [Fact]
    public void ControlGroup_TakesBucketsBelowTheShare_TheBucketAtTheCutIsOutside()
    {
        var atCut = Enumerable.Range(1, 200_000).Select(i => (long)i).First(id => ControlGroup.Bucket(3, id) == 1000);
        Assert.False(ControlGroup.IsControl(3, atCut, 10));
        Assert.True(ControlGroup.IsControl(3, atCut, 11));
        var below = Enumerable.Range(1, 200_000).Select(i => (long)i).First(id => ControlGroup.Bucket(3, id) == 999);
        Assert.True(ControlGroup.IsControl(3, below, 10));
        Assert.False(ControlGroup.IsControl(3, below, 0));
    }
}
