using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;

namespace Portal.Tests.Domain;

/// <summary>Issue 21: the settings are one value, changed on a campaign only through <see cref="Campaign.ChangeSettings"/>.</summary>
public class CampaignSettingsTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private static readonly CampaignSettings Valid = new() { SegmentId = 1, ExcludedSegmentIds = [2, 3], Body = "Hi", SenderId = "PORTAL" };

    private static Campaign Approved()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "author", Now, Valid) { RequiresApproval = true };
        c.Approve("boss", Now);
        return c;
    }

    public static TheoryData<string, CampaignSettings, string> Broken() => new()
    {
        { "sender", Valid with { SenderId = "TwelveLetter" }, "sender id" },
        { "quiet from", Valid with { QuietFromMinute = 1440 }, "Quiet hours" },
        { "quiet to", Valid with { QuietToMinute = -1 }, "Quiet hours" },
        { "speed", Valid with { SpeedLimit = 0 }, "speed limit" },
        { "validity low", Valid with { ValidityHours = 0 }, "Validity" },
        { "validity high", Valid with { ValidityHours = CampaignRules.MaxValidityHours + 1 }, "Validity" },
        { "control group", Valid with { ControlGroupPercent = CampaignRules.MaxControlGroupPercent + 1 }, "control group" },
        { "control group negative", Valid with { ControlGroupPercent = -1 }, "control group" },
        { "recurring without cron", Valid with { ScheduleKind = ScheduleKind.Recurring, Cron = "  " }, "cron" },
        { "audience excluded", Valid with { ExcludedSegmentIds = [1] }, "exclusion" },
        { "goal window", Valid with { GoalEvents = GoalEventTypes.Purchase, AttributionWindowHours = 0 }, "attribution window" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void ChangeSettings_BreakingARule_IsRefused_AndChangesNothing(string rule, CampaignSettings settings, string message)
    {
        var c = Approved();
        var before = c.Settings;

        var e = Assert.Throws<DomainException>(() => c.ChangeSettings(settings, null, Now.AddHours(1)));

        Assert.Contains(message, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Same(before, c.Settings);
        Assert.True(c.ApprovedAt is not null, rule + ": a refused change keeps the approval");
        Assert.Equal(Now, c.UpdatedAt);
    }

    [Fact]
    public void ChangeSettings_AtTheLimits_IsAccepted()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "u", Now);
        c.ChangeSettings(Valid with { ValidityHours = CampaignRules.MaxValidityHours, ControlGroupPercent = CampaignRules.MaxControlGroupPercent, SpeedLimit = 1 }, null, Now);
        Assert.Equal((72, 50, (int?)1), (c.Settings.ValidityHours, c.Settings.ControlGroupPercent, c.Settings.SpeedLimit));
    }

    [Theory]
    [InlineData(CampaignStatus.Scheduled)]
    [InlineData(CampaignStatus.Sending)]
    [InlineData(CampaignStatus.Cancelled)]
    public void ChangeSettings_OutsideDraft_IsRefused(CampaignStatus status)
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "u", Now, Valid);
        c.Schedule(Now, Now);
        if (status == CampaignStatus.Sending) c.Start(Now);
        if (status == CampaignStatus.Cancelled) c.Cancel(Now);

        var e = Assert.Throws<DomainException>(() => c.ChangeSettings(Valid with { Body = "Changed" }, null, Now));

        Assert.Contains("change its settings", e.Message);
        Assert.Equal("Hi", c.Settings.Body);
    }

    [Fact]
    public void ChangeSettings_WhatIsSentChanges_WithdrawsTheApproval()
    {
        var c = Approved();
        c.ChangeSettings(c.Settings with { SpeedLimit = 10 }, null, Now.AddHours(1));
        Assert.Equal(((string?)null, (DateTime?)null), (c.ApprovedBy, c.ApprovedAt));
        Assert.Equal(10, c.Settings.SpeedLimit);
        Assert.Equal(Now.AddHours(1), c.UpdatedAt);
        Assert.Throws<DomainException>(() => c.Schedule(Now, Now));
    }

    [Fact]
    public void ChangeSettings_ANewLaunchTime_WithdrawsTheApproval()
    {
        var c = Approved();
        c.ChangeSettings(c.Settings with { ScheduleKind = ScheduleKind.At }, Now.AddDays(1), Now);
        Assert.Null(c.ApprovedAt);
    }

    [Fact]
    public void ChangeSettings_TheSameSettings_KeepTheApproval_EvenAsACopyWithExclusionsReordered()
    {
        var c = Approved();
        c.ChangeSettings(Valid with { ExcludedSegmentIds = [3, 2, 3], SenderId = " PORTAL " }, null, Now.AddHours(1));
        Assert.Equal("boss", c.ApprovedBy);
        Assert.Equal([3, 2], c.Settings.ExcludedSegmentIds);
        Assert.Equal("PORTAL", c.Settings.SenderId);
    }

    [Fact]
    public void ChangeSettings_OnlyTheGoal_KeepsTheApproval()
    {
        var c = Approved();
        c.ChangeSettings(c.Settings.WithGoal(new CampaignGoal(GoalEventTypes.Purchase, 100m, 48)), null, Now);
        Assert.Equal("boss", c.ApprovedBy);
        Assert.Equal(new CampaignGoal(GoalEventTypes.Purchase, 100m, 48), c.Goal);
    }

    [Fact]
    public void ChangeSettings_KeepsTheCronAndTheLaunchTimeOnlyForTheirKind()
    {
        var c = new Campaign("x", null, MessagePurpose.Service, "u", Now);
        c.ChangeSettings(Valid with { ScheduleKind = ScheduleKind.Now, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now.AddDays(9) }, Now.AddDays(1), Now);
        Assert.Equal(((string?)null, (DateTime?)null, (DateTime?)null), (c.Settings.Cron, c.Settings.RecurrenceEndsAt, c.ScheduledAt));

        c.ChangeSettings(Valid with { ScheduleKind = ScheduleKind.Recurring, Cron = " 0 0 10 ? * MON ", RecurrenceEndsAt = Now.AddDays(9) }, Now.AddDays(1), Now);
        Assert.Equal(("0 0 10 ? * MON", (DateTime?)Now.AddDays(9), (DateTime?)null), (c.Settings.Cron, c.Settings.RecurrenceEndsAt, c.ScheduledAt));
    }

    [Fact]
    public void RunOf_ARecurringCampaign_CarriesItsSettings_AsARunLaunchedNow()
    {
        var parent = new Campaign("Weekly", 4, MessagePurpose.Advertising, "author", Now,
            (Valid with { ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now.AddMonths(1), ControlGroupPercent = 10, SpeedLimit = 7, QuietHoursEnabled = false, ValidityHours = 5, ProviderId = 3, TemplateId = 8 })
                .WithGoal(new CampaignGoal(GoalEventTypes.Payment, null, 24)));
        parent.Schedule(Now, Now);
        var firing = Now.AddDays(6);

        var run = Campaign.RunOf(parent, "Weekly · 1", firing, Now.AddDays(6));

        Assert.Equal(parent.Settings with { ScheduleKind = ScheduleKind.Now, Cron = null, RecurrenceEndsAt = null, ExcludedSegmentIds = run.Settings.ExcludedSegmentIds }, run.Settings);
        Assert.Equal(parent.Settings.ExcludedSegmentIds, run.Settings.ExcludedSegmentIds);
        Assert.Equal((parent.Id, (DateTime?)firing, (int?)4, MessagePurpose.Advertising, "author", CampaignStatus.Draft),
            (run.ParentCampaignId ?? 0, run.FiringAt, run.DepartmentId, run.Purpose, run.CreatedBy, run.Status));
        Assert.Throws<DomainException>(() => Campaign.RunOf(run, "again", firing, Now));
    }

    [Fact]
    public void IsQuiet_FollowsTheSettings()
    {
        var quiet = new CampaignSettings { QuietFromMinute = 22 * 60, QuietToMinute = 8 * 60 };
        Assert.Equal((true, true, false), (quiet.IsQuiet(23 * 60), quiet.IsQuiet(7 * 60), quiet.IsQuiet(12 * 60)));
        Assert.False((quiet with { QuietHoursEnabled = false }).IsQuiet(23 * 60));
        Assert.False((quiet with { QuietToMinute = 22 * 60 }).IsQuiet(22 * 60));
    }
}
