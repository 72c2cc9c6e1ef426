namespace Portal.Domain.Campaigns;

public enum CampaignStatus
{
    Draft = 0,
    Scheduled = 1,
    Sending = 2,
    Paused = 3,
    Completed = 4,
    Cancelled = 5,
    Failed = 6,
}

public enum MessagePurpose
{
    /// <summary>Account and transaction notices; no advertising consent needed.</summary>
    Service = 1,
    /// <summary>Offers and promotions; only to clients with advertising consent (38-FZ art. 18).</summary>
    Advertising = 2,
}
