namespace Portal.Infrastructure.Scheduling;

public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Whether this node fires scheduled jobs. A node with it off still lets users edit sources and "run now" runs inline.</summary>
    public bool Enabled { get; set; } = true;
}
