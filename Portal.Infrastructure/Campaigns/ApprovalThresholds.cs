using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Above these a campaign needs a Manager's approval (issue 6): <c>Campaigns:ApprovalCostThreshold</c>
/// (in the route's currency, default 50,000) and <c>Campaigns:ApprovalSizeThreshold</c> (recipients, default 500,000).
/// The wizard shows it; <see cref="CampaignOperations.ScheduleAsync"/> enforces it on the server.
/// </summary>
public sealed record ApprovalThresholds(decimal Cost, int Size)
{
    public const decimal DefaultCost = 50_000m;
    public const int DefaultSize = 500_000;

    public static ApprovalThresholds From(IConfiguration configuration) => new(
        decimal.TryParse(configuration["Campaigns:ApprovalCostThreshold"], NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) ? cost : DefaultCost,
        int.TryParse(configuration["Campaigns:ApprovalSizeThreshold"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : DefaultSize);

    public bool Requires(CampaignEstimate estimate) => estimate.TotalCost > Cost || estimate.Recipients > Size;
}
