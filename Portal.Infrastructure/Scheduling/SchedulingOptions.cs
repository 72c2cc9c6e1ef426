using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Scheduling;

public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Whether this node fires scheduled jobs. A node with it off still lets users edit sources and "run now" runs inline.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often a scheduling node re-reads the scheduled campaigns and fixes its triggers: the
    /// longest a campaign scheduled on another node waits for its trigger here, and the retry
    /// interval of a one-shot launch that failed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);
}
