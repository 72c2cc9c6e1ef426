using Portal.Domain.Campaigns;
using Portal.Domain.Providers;
using Portal.Infrastructure.Messaging;

namespace Portal.Infrastructure.Dashboard;

/// <summary>Everything the live dashboard shows, read in one batch (counts and ids only, no personal data).</summary>
public sealed record DashboardSnapshot(
    DateTime At,
    TodayTotals Today,
    IReadOnlyList<LiveCampaign> Campaigns,
    IReadOnlyList<ThroughputBucket> Throughput,
    IReadOnlyList<ProviderLive> Providers,
    IReadOnlyList<QueueStats> Queues,
    TimeSpan QueryTime)
{
    /// <summary>Width of one <see cref="ThroughputBucket"/>.</summary>
    public static readonly TimeSpan BucketSize = TimeSpan.FromSeconds(10);

    /// <summary>How far back <see cref="Throughput"/> reaches.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    public static DashboardSnapshot Empty(DateTime at) => new(at, new TodayTotals(0, 0, 0, 0, 0), [], [], [], [], TimeSpan.Zero);
}

/// <summary>Since the start of the viewer's day: submitted (and their parts and cost), delivered and failed.</summary>
public sealed record TodayTotals(long Sent, long Delivered, long Failed, long Parts, decimal Cost);

/// <summary>A campaign that is sending, paused, due today or finished in the last minutes.</summary>
public sealed record LiveCampaign(
    int Id,
    string Name,
    CampaignStatus Status,
    int Total,
    int Queued,
    int Submitted,
    int Delivered,
    int Failed,
    int Deferred,
    int Control,
    int Cancelled,
    double FinalPerSecond,
    DateTime? EstimatedFinish)
{
    /// <summary>Messages that will not change any more (as <c>CampaignProgress.Final</c>).</summary>
    public int Final => Delivered + Failed + Cancelled + Control;

    public double PercentFinal => Total == 0 ? 0 : 100.0 * Final / Total;
}

/// <summary>Messages submitted and delivered in one <see cref="DashboardSnapshot.BucketSize"/> starting at <see cref="Start"/>.</summary>
public sealed record ThroughputBucket(DateTime Start, int Submitted, int Delivered);

/// <summary>
/// One provider summed over the nodes that reported within <see cref="DashboardOptions.FreshFor"/>.
/// An HTTP provider has no binds or window: its nodes report requests in flight as <see cref="WindowInUse"/>.
/// </summary>
public sealed record ProviderLive(
    int ProviderId,
    string Name,
    int Nodes,
    int BindsUp,
    int BindsConfigured,
    int WindowInUse,
    int WindowSize,
    double PartsPerSecond,
    double ErrorPercent,
    double ThrottlePercent,
    bool Enabled = true,
    ProviderKind Kind = ProviderKind.Smpp,
    DateTime? CircuitOpenUntil = null)
{
    /// <summary>A disabled provider is never shown up, even while a node still holds its binds (issue 12).</summary>
    public ProviderBindState BindState =>
        !Enabled ? ProviderBindState.Disabled
        : CircuitOpenUntil is not null ? ProviderBindState.CircuitOpen
        : Nodes == 0 ? ProviderBindState.NoNode
        : Kind == ProviderKind.Http ? ProviderBindState.Ready
        : BindsUp == 0 ? ProviderBindState.Down
        : BindsUp < BindsConfigured ? ProviderBindState.Partial
        : ProviderBindState.Bound;
}

public enum ProviderBindState
{
    /// <summary>No node reported the provider recently (no sender connected to it).</summary>
    NoNode = 0,
    Down = 1,
    Partial = 2,
    Bound = 3,
    /// <summary>Switched off in the registry: not routed to, whatever its binds.</summary>
    Disabled = 4,
    /// <summary>An HTTP provider some node has a sender for (it has no binds to count).</summary>
    Ready = 5,
    /// <summary>Some node's circuit keeps it out of routing until <see cref="ProviderLive.CircuitOpenUntil"/>, binds or not.</summary>
    CircuitOpen = 6,
}
