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
/// A campaign's results cells as last computed, with the stamp of the inputs they were computed
/// from: a read whose stamp matches returns them without touching the message table.
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
}
