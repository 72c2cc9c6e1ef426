namespace Portal.Infrastructure.Analytics;

/// <summary>How far an incremental analytics job has read a table (by id).</summary>
public sealed class AnalyticsWatermark
{
    private AnalyticsWatermark() { }

    public AnalyticsWatermark(string name, long value)
    {
        Name = name;
        Value = value;
    }

    public string Name { get; private set; } = "";
    public long Value { get; set; }
}

/// <summary>
/// A campaign's results cells as last computed, with the stamps of the inputs they were computed
/// from: a read whose stamps match returns them without touching the message table. The base part
/// (recipients, delivery, cost: see <see cref="CampaignResultsQuery"/>) is kept apart with its own
/// stamp, so new events, replies or opt-outs recompute only the responders.
/// </summary>
public sealed class CampaignResultSnapshot
{
    private CampaignResultSnapshot() { }

    public CampaignResultSnapshot(int campaignId)
    {
        CampaignId = campaignId;
    }

    public int CampaignId { get; private set; }
    public DateTime ComputedAt { get; set; }
    public string Stamp { get; set; } = "";
    public string CellsJson { get; set; } = "[]";

    /// <summary>The campaign's status and finish time when the base part was computed.</summary>
    public string BaseStamp { get; set; } = "";
    public DateTime BaseComputedAt { get; set; }

    /// <summary>The base part's raw cells (before folding into local hours and age bands).</summary>
    public string BaseCellsJson { get; set; } = "[]";
}
