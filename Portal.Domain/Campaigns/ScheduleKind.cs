namespace Portal.Domain.Campaigns;

public enum ScheduleKind
{
    /// <summary>Launch as soon as it is scheduled.</summary>
    Now = 0,
    /// <summary>Launch once at <see cref="Campaign.ScheduledAt"/>.</summary>
    At = 1,
    /// <summary>A cron expression fires runs until <see cref="CampaignSettings.RecurrenceEndsAt"/>; each firing is a child campaign.</summary>
    Recurring = 2,
}
