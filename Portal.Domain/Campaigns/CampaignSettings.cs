using Portal.Domain.Analytics;
using Portal.Domain.Common;

namespace Portal.Domain.Campaigns;

/// <summary>
/// Everything a campaign's author chooses about what is sent, to whom and how (issue 21): one
/// immutable value, so the entity, the wizard's draft, the scheduler's fingerprint and a recurring
/// campaign's runs hold the same list instead of five copies of it. Changed on a campaign only
/// through <see cref="Campaign.ChangeSettings"/> (a draft; all rules checked together); the wizard
/// edits a copy with <c>with</c>. The launch time of <see cref="ScheduleKind.At"/> is not here: it is
/// <see cref="Campaign.ScheduledAt"/>, a lifecycle column the scheduler's index covers with the status.
/// </summary>
public sealed record CampaignSettings
{
    public int? SegmentId { get; init; }
    /// <summary>Segments whose members are taken out of the audience.</summary>
    public IReadOnlyList<int> ExcludedSegmentIds { get; init; } = [];
    public int? TemplateId { get; init; }
    /// <summary>The Liquid text this campaign sends, copied from the template when the campaign is written.</summary>
    public string Body { get; init; } = "";
    /// <summary>Alphanumeric up to 11 characters, or a number (see <see cref="CampaignRules.ValidateSenderId"/>); null: the provider's default.</summary>
    public string? SenderId { get; init; }
    /// <summary>A named provider, or null to let routing choose the cheapest healthy one.</summary>
    public int? ProviderId { get; init; }
    public ScheduleKind ScheduleKind { get; init; }
    /// <summary>Quartz cron expression (UTC) for <see cref="ScheduleKind.Recurring"/>.</summary>
    public string? Cron { get; init; }
    public DateTime? RecurrenceEndsAt { get; init; }
    public bool QuietHoursEnabled { get; init; } = true;
    /// <summary>Quiet hours in the client's local time, minutes after midnight; the window may cross midnight.</summary>
    public int QuietFromMinute { get; init; } = CampaignRules.DefaultQuietFromMinute;
    public int QuietToMinute { get; init; } = CampaignRules.DefaultQuietToMinute;
    /// <summary>Messages per second for this campaign; null means as fast as the route allows.</summary>
    public int? SpeedLimit { get; init; }
    /// <summary>How long a message may wait (quiet hours, throttling) before it expires unsent.</summary>
    public int ValidityHours { get; init; } = CampaignRules.DefaultValidityHours;
    /// <summary>Share of the audience held back (not sent) to measure uplift, 0..50.</summary>
    public int ControlGroupPercent { get; init; }
    /// <summary>The goal's event types (issue 15); None means the campaign has no goal (<see cref="Goal"/>).</summary>
    public GoalEventTypes GoalEvents { get; init; }
    public decimal? GoalMinAmount { get; init; }
    public int AttributionWindowHours { get; init; } = CampaignGoal.DefaultWindowHours;

    /// <summary>What clients should do afterwards, measured against the control group; null for none.</summary>
    public CampaignGoal? Goal => GoalEvents == GoalEventTypes.None ? null : new CampaignGoal(GoalEvents, GoalMinAmount, AttributionWindowHours);

    /// <summary>These settings with <paramref name="goal"/> (null: none) in place of theirs.</summary>
    public CampaignSettings WithGoal(CampaignGoal? goal) => this with
    {
        GoalEvents = goal?.Events ?? GoalEventTypes.None,
        GoalMinAmount = goal?.MinAmount,
        AttributionWindowHours = goal?.WindowHours ?? CampaignGoal.DefaultWindowHours,
    };

    /// <summary>
    /// The form the entity keeps: sender trimmed (blank is none), exclusions distinct, the cron and
    /// its end only for a recurring schedule.
    /// </summary>
    public CampaignSettings Normalized()
    {
        var recurring = ScheduleKind == ScheduleKind.Recurring;
        return this with
        {
            SenderId = string.IsNullOrWhiteSpace(SenderId) ? null : SenderId.Trim(),
            ExcludedSegmentIds = [.. ExcludedSegmentIds.Distinct()],
            Cron = recurring ? Cron?.Trim() : null,
            RecurrenceEndsAt = recurring ? RecurrenceEndsAt : null,
        };
    }

    /// <summary>Checks the settings together; throws with the first rule broken.</summary>
    public void Validate()
    {
        CampaignRules.ValidateSenderId(SenderId);
        if (ControlGroupPercent is < 0 or > CampaignRules.MaxControlGroupPercent)
        {
            throw new DomainException("The control group is 0 to 50 % of the audience.");
        }
        if (QuietFromMinute is < 0 or >= 1440 || QuietToMinute is < 0 or >= 1440)
        {
            throw new DomainException("Quiet hours are times of day between 00:00 and 23:59.");
        }
        if (SpeedLimit is <= 0)
        {
            throw new DomainException("A speed limit is at least one message per second.");
        }
        if (ValidityHours is < 1 or > CampaignRules.MaxValidityHours)
        {
            throw new DomainException("Validity is 1 to 72 hours.");
        }
        if (ScheduleKind == ScheduleKind.Recurring && string.IsNullOrWhiteSpace(Cron))
        {
            throw new DomainException("A recurring campaign needs a schedule (cron expression).");
        }
        if (SegmentId is int id && ExcludedSegmentIds.Contains(id))
        {
            throw new DomainException("A segment cannot be both the audience and an exclusion.");
        }
        _ = Goal; // a goal's own rules (events, amount, window) throw from CampaignGoal
    }

    /// <summary>True when <paramref name="localMinute"/> (minutes after local midnight) falls inside quiet hours.</summary>
    public bool IsQuiet(int localMinute)
    {
        if (!QuietHoursEnabled || QuietFromMinute == QuietToMinute) return false;
        return QuietFromMinute < QuietToMinute
            ? localMinute >= QuietFromMinute && localMinute < QuietToMinute
            : localMinute >= QuietFromMinute || localMinute < QuietToMinute;
    }

    /// <summary>
    /// True when both send the same thing the same way: what a Manager approves. The goal is left
    /// out (it changes what is measured, not what is sent), and exclusions compare as sets: the
    /// record's own equality compares the list by reference.
    /// </summary>
    public bool SendsAs(CampaignSettings other)
    {
        var a = WithGoal(null) with { ExcludedSegmentIds = NoIds };
        var b = other.WithGoal(null) with { ExcludedSegmentIds = NoIds };
        return a == b && ExcludedSegmentIds.Distinct().Order().SequenceEqual(other.ExcludedSegmentIds.Distinct().Order());
    }

    private static readonly IReadOnlyList<int> NoIds = [];
}
