using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Cost before send: renders the campaign's text for its real audience (streaming, in the database
/// order) and counts messages by parts, at the chosen route's prices, with the finish time the
/// route's speed and the quiet hours allow.
/// </summary>
public interface ICampaignEstimator
{
    Task<CampaignEstimate> EstimateAsync(Campaign campaign, IProgress<double>? progress = null, CancellationToken ct = default);
}

/// <param name="Recipients">Clients that will get a message (opt-outs, non-consenting, exclusions and control group removed).</param>
/// <param name="PartsHistogram">Number of parts -> number of messages.</param>
public sealed record CampaignEstimate(
    int Audience,
    int Recipients,
    int ControlGroup,
    int OptedOutOrNoConsent,
    IReadOnlyDictionary<int, int> PartsHistogram,
    int UnicodeMessages,
    long TotalParts,
    decimal TotalCost,
    string Currency,
    TimeSpan EstimatedDuration,
    DateTime EstimatedFinishUtc);
