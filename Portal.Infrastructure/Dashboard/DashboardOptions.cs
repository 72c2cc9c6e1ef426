using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Dashboard;

/// <summary>Configuration section "Dashboard".</summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>This node's name in <see cref="ProviderNodeStats"/>; empty = host name and process id.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>How often this node writes its provider readings.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Readings older than this belong to a node that stopped: they are not shown.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan FreshFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Circuits asking within this time share one snapshot, so ten open dashboards cost the
    /// database what one does.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ShareFor { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Rows whose time is older than this are taken as settled: today's totals and the chart's
    /// buckets keep them cached and each tick reads only the newer ones (receipts land within seconds).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan SettleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Counting the running campaigns scans all their messages (1.9 M: about 250 ms here). When it takes
    /// longer than this, the counts are reused for up to 4 more ticks, proportionally.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan CampaignQueryBudget { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// How often a web node reads its dashboard with nobody watching, so the first viewer finds it
    /// warm (<see cref="DashboardQueries.WarmAsync"/>); zero turns it off. One read costs what one
    /// viewer's tick does.
    /// </summary>
    public TimeSpan WarmEvery { get; set; } = TimeSpan.FromSeconds(30);

    internal string ResolvedNodeId => string.IsNullOrWhiteSpace(NodeId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}"
        : NodeId.Trim();
}
