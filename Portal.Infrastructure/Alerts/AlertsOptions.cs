using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Alerts;

/// <summary>Employee alerts (issue 17), section <c>Alerts</c>.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>How often each node's escalation loop looks for due escalations and deferred recipients.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Required, StringLength(16, MinimumLength = 1)]
    public string SenderId { get; set; } = "Portal";

    /// <summary>Appended to every alert SMS; {0} is the alert's code.</summary>
    [Required]
    public string ConfirmHint { get; set; } = " Reply {0} to confirm.";

    /// <summary>Quiet hours for informational alerts in the employee's local time (minutes after midnight); alarms ignore them.</summary>
    [Range(0, 1439)]
    public int QuietFromMinute { get; set; } = 21 * 60;

    [Range(0, 1439)]
    public int QuietToMinute { get; set; } = 9 * 60;

    /// <summary>An alert SMS not submitted within this expires.</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromHours(4);
}
