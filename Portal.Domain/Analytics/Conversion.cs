namespace Portal.Domain.Analytics;

/// <summary>
/// A recipient's conversion in a campaign: their first goal event attributed to it (last touch,
/// inside the window). One row per (campaign, client); a late, back-dated event that is earlier
/// replaces the row's event. Holds no personal data: ids, a time and an amount.
/// </summary>
public sealed class Conversion
{
    private Conversion() { }

    public Conversion(int campaignId, long clientId, long messageId, bool isControl, long eventId, DateTime convertedAt, long amountMinor)
    {
        CampaignId = campaignId;
        ClientId = clientId;
        MessageId = messageId;
        IsControl = isControl;
        Replace(eventId, convertedAt, amountMinor);
    }

    public int CampaignId { get; private set; }
    public long ClientId { get; private set; }
    public long MessageId { get; private set; }
    public bool IsControl { get; private set; }
    public long EventId { get; private set; }
    public DateTime ConvertedAt { get; private set; }
    /// <summary>The event's amount in minor units (kopecks): integer sums are exact and equal on both databases.</summary>
    public long AmountMinor { get; private set; }

    /// <summary>Keeps the earlier of two goal events; true when this one replaced the stored event.</summary>
    public bool OfferEarlier(long eventId, DateTime convertedAt, long amountMinor)
    {
        if (convertedAt > ConvertedAt || (convertedAt == ConvertedAt && eventId >= EventId)) return false;
        Replace(eventId, convertedAt, amountMinor);
        return true;
    }

    public static long ToMinor(decimal? amount) => amount is { } a ? (long)Math.Round(a * 100m, MidpointRounding.AwayFromZero) : 0;

    private void Replace(long eventId, DateTime convertedAt, long amountMinor)
    {
        EventId = eventId;
        ConvertedAt = convertedAt;
        AmountMinor = amountMinor;
    }
}
