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
    DateTime EstimatedFinishUtc)
{
    /// <summary>Shortest and longest rendered text over the recipients (issue 20 item 3), as <see cref="Portal.Domain.Messages.SmsLength"/> counts them.</summary>
    public (int Min, int Max) Length { get; init; }

    /// <summary>The provider the cost is priced at (issue 20 item 4); null when no provider could take the messages.</summary>
    public string? Provider { get; init; }

    /// <summary>
    /// Recipients by their language (issue 20 item 5): money and dates in a message follow each
    /// client's language ("1 234,50 ₽" in Russian, "1,234.50 RUB" in English).
    /// </summary>
    public IReadOnlyDictionary<string, int> Languages { get; init; } = new Dictionary<string, int>();
}
