using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// What the campaign wizard edits: a copy of a draft's <see cref="CampaignSettings"/> (changed with
/// <c>with</c>) plus the few choices outside them, so a half-filled form can be kept, validated and
/// written onto the entity in one step (<see cref="ApplyTo"/>).
/// </summary>
public sealed class CampaignDraft
{
    public string Name { get; set; } = "";
    public MessagePurpose Purpose { get; set; } = MessagePurpose.Service;
    public CampaignSettings Settings { get; set; } = new();
    /// <summary>For <see cref="ScheduleKind.At"/>: when to launch, UTC.</summary>
    public DateTime? LaunchAtUtc { get; set; }
    public bool RequiresApproval { get; set; }

    public static CampaignDraft From(Campaign c) => new()
    {
        Name = c.Name,
        Purpose = c.Purpose,
        Settings = c.Settings,
        LaunchAtUtc = c.Settings.ScheduleKind == ScheduleKind.At ? c.ScheduledAt : null,
        RequiresApproval = c.RequiresApproval,
    };

    /// <summary>
    /// Writes the draft onto a campaign (throws <see cref="Domain.Common.DomainException"/>): the
    /// settings through <see cref="Campaign.ChangeSettings"/>, which withdraws an approval when what
    /// is sent changed; a new name or purpose withdraws it too, as a Manager approved those as well.
    /// </summary>
    public void ApplyTo(Campaign c, DateTime now)
    {
        var renamed = c.ApprovedAt is not null && (c.Name != Name.Trim() || c.Purpose != Purpose);
        c.Rename(Name);
        if (c.Purpose != Purpose)
        {
            c.ChangePurpose(Purpose, now);
        }
        c.ChangeSettings(Settings, LaunchAtUtc, now);
        c.RequiresApproval = RequiresApproval;
        if (renamed && c.ApprovedAt is not null)
        {
            c.WithdrawApproval(now);
        }
    }
}
