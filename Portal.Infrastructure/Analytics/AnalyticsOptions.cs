using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Analytics;

/// <summary>Configuration section "Analytics".</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>False on nodes that should not attribute events (several nodes may run it: the watermark is a lock).</summary>
    public bool AttributionEnabled { get; set; } = true;

    /// <summary>How often the attribution job looks for new client events.</summary>
    public TimeSpan AttributionInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Events per attribution pass (one touches query and one write per pass).</summary>
    [Range(100, 100_000)]
    public int AttributionBatchSize { get; set; } = 5_000;

    /// <summary>
    /// A running or recently finished campaign's results are recomputed at most this often while
    /// receipts and replies still arrive; a finished one only when its conversions or replies change.
    /// </summary>
    public TimeSpan ResultsRefreshAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after finishing a campaign is treated as still receiving receipts.</summary>
    public TimeSpan ReceiptsSettleAfter { get; set; } = TimeSpan.FromHours(24);
}
