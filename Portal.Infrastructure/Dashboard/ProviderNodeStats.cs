namespace Portal.Infrastructure.Dashboard;

/// <summary>
/// One node's live reading of one provider connection, upserted every second by
/// <see cref="ProviderStatsPublisher"/>. Binds and windows live in each node's memory; this row is
/// how a dashboard on any node sees all of them (issue 8: correct with several nodes). Counters are
/// totals since the node started, so rates come from two readings.
/// </summary>
public sealed class ProviderNodeStats
{
    /// <summary>Host and process: a restarted node is a new row, so its counters never go backwards.</summary>
    public string NodeId { get; set; } = "";
    public int ProviderId { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int BindsUp { get; set; }
    public int BindsConfigured { get; set; }
    /// <summary>Requests sent and not yet answered, over all binds.</summary>
    public int WindowInUse { get; set; }
    /// <summary>Binds times the window of each.</summary>
    public int WindowSize { get; set; }
    /// <summary>submit_sm PDUs sent (parts).</summary>
    public long SubmittedTotal { get; set; }
    /// <summary>Parts rejected or left without an answer.</summary>
    public long ErrorsTotal { get; set; }
    /// <summary>ESME_RTHROTTLED answers.</summary>
    public long ThrottledTotal { get; set; }
    public long ReceiptsTotal { get; set; }
}
