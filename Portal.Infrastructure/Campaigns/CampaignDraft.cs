using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// What the campaign wizard edits: the settings of a draft, free of the lifecycle, so a half-filled
/// form can be kept, validated and written onto the entity in one step (<see cref="ApplyTo"/>).
/// </summary>
public sealed class CampaignDraft
{
    public string Name { get; set; } = "";
    public MessagePurpose Purpose { get; set; } = MessagePurpose.Service;
    public int? SegmentId { get; set; }
    public IReadOnlyCollection<int> ExcludedSegmentIds { get; set; } = [];
    public int? TemplateId { get; set; }
    public string Body { get; set; } = "";
    public string? SenderId { get; set; }
    public int? ProviderId { get; set; }
    public ScheduleKind ScheduleKind { get; set; } = ScheduleKind.Now;
    /// <summary>For <see cref="ScheduleKind.At"/>: when to launch, UTC.</summary>
    public DateTime? LaunchAtUtc { get; set; }
    public string? Cron { get; set; }
    public DateTime? RecurrenceEndsAtUtc { get; set; }
    public bool QuietHoursEnabled { get; set; } = true;
    public int QuietFromMinute { get; set; } = CampaignRules.DefaultQuietFromMinute;
    public int QuietToMinute { get; set; } = CampaignRules.DefaultQuietToMinute;
    public int? SpeedLimit { get; set; }
    public int ValidityHours { get; set; } = CampaignRules.DefaultValidityHours;
    public int ControlGroupPercent { get; set; }
    public bool RequiresApproval { get; set; }
    /// <summary>The goal's event types (issue 15); None: no goal.</summary>
    public GoalEventTypes GoalEvents { get; set; }
    public decimal? GoalMinAmount { get; set; }
    public int AttributionWindowHours { get; set; } = CampaignGoal.DefaultWindowHours;

    public static CampaignDraft From(Campaign c) => new()
    {
        Name = c.Name,
        Purpose = c.Purpose,
        SegmentId = c.SegmentId,
        ExcludedSegmentIds = [.. c.ExcludedSegmentIds],
        TemplateId = c.TemplateId,
        Body = c.Body,
        SenderId = c.SenderId,
        ProviderId = c.ProviderId,
        ScheduleKind = c.ScheduleKind,
        LaunchAtUtc = c.ScheduleKind == ScheduleKind.At ? c.ScheduledAt : null,
        Cron = c.Cron,
        RecurrenceEndsAtUtc = c.RecurrenceEndsAt,
        QuietHoursEnabled = c.QuietHoursEnabled,
        QuietFromMinute = c.QuietFromMinute,
        QuietToMinute = c.QuietToMinute,
        SpeedLimit = c.SpeedLimit,
        ValidityHours = c.ValidityHours,
        ControlGroupPercent = c.ControlGroupPercent,
        RequiresApproval = c.RequiresApproval,
        GoalEvents = c.GoalEvents,
        GoalMinAmount = c.GoalMinAmount,
        AttributionWindowHours = c.AttributionWindowHours,
    };

    /// <summary>
    /// Writes the settings onto a draft and checks them together (throws <see cref="Domain.Common.DomainException"/>).
    /// A change to what a Manager approved withdraws the approval.
    /// </summary>
    public void ApplyTo(Campaign c, DateTime now)
    {
        var approved = c.ApprovedAt is null ? null : From(c).Fingerprint();
        c.Rename(Name);
        if (c.Purpose != Purpose)
        {
            c.ChangePurpose(Purpose, now);
        }
        c.SegmentId = SegmentId;
        c.ExcludedSegmentIds = [.. ExcludedSegmentIds.Distinct()];
        c.TemplateId = TemplateId;
        c.Body = Body;
        c.SenderId = string.IsNullOrWhiteSpace(SenderId) ? null : SenderId.Trim();
        c.ProviderId = ProviderId;
        c.ScheduleKind = ScheduleKind;
        c.PlanLaunch(ScheduleKind == ScheduleKind.At ? LaunchAtUtc : null, now);
        c.Cron = ScheduleKind == ScheduleKind.Recurring ? Cron?.Trim() : null;
        c.RecurrenceEndsAt = ScheduleKind == ScheduleKind.Recurring ? RecurrenceEndsAtUtc : null;
        c.QuietHoursEnabled = QuietHoursEnabled;
        c.QuietFromMinute = QuietFromMinute;
        c.QuietToMinute = QuietToMinute;
        c.SpeedLimit = SpeedLimit;
        c.ValidityHours = ValidityHours;
        c.ControlGroupPercent = ControlGroupPercent;
        c.RequiresApproval = RequiresApproval;
        // The goal changes what is measured, not what is sent: it is not part of what a Manager approves.
        c.SetGoal(GoalEvents == GoalEventTypes.None ? null : new CampaignGoal(GoalEvents, GoalMinAmount, AttributionWindowHours), now);
        c.ValidateSettings();
        if (approved is not null && approved != From(c).Fingerprint())
        {
            c.WithdrawApproval(now);
        }
    }

    /// <summary>Everything a Manager approves (not the approval flag itself), for "did it change?".</summary>
    private string Fingerprint() => string.Join('\u001f', Name, Purpose, SegmentId, string.Join(',', ExcludedSegmentIds.Order()), TemplateId, Body,
        SenderId, ProviderId, ScheduleKind, LaunchAtUtc?.Ticks, Cron, RecurrenceEndsAtUtc?.Ticks, QuietHoursEnabled, QuietFromMinute, QuietToMinute,
        SpeedLimit, ValidityHours, ControlGroupPercent);
}
