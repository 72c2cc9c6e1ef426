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

    /// <summary>The responders' part's raw cells, as of the marks in <see cref="Stamp"/>.</summary>
    public string ResponseCellsJson { get; set; } = "[]";
}

/// <summary>
/// One change of a conversion, written by <see cref="ConversionAttributor"/> in the transaction that
/// makes it: a new conversion (1, its amount) or an earlier event that replaced one (0, the amount's
/// difference). Campaign results add the changes after their kept mark instead of recomputing every
/// responder (<see cref="CampaignResults"/>).
/// </summary>
public sealed class ConversionDelta
{
    private ConversionDelta() { }

    public ConversionDelta(int campaignId, long clientId, int conversions, long amountMinor, double squaresMinor)
    {
        CampaignId = campaignId;
        ClientId = clientId;
        Conversions = conversions;
        AmountMinor = amountMinor;
        SquaresMinor = squaresMinor;
    }

    public long Id { get; private set; }
    public int CampaignId { get; private set; }
    public long ClientId { get; private set; }
    public int Conversions { get; private set; }
    public long AmountMinor { get; private set; }
    public double SquaresMinor { get; private set; }
}
