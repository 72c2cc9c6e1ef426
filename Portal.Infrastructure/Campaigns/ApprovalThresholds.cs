using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Above these a campaign needs a Manager's approval (issue 6): <c>Campaigns:ApprovalCostThreshold</c>
/// (in the route's currency, default 50,000) and <c>Campaigns:ApprovalSizeThreshold</c> (recipients, default 500,000).
/// The wizard shows it; <see cref="CampaignOperations.ScheduleAsync"/> enforces it on the server.
/// </summary>
/// <param name="TolerancePercent">
/// Issue 14, <c>Campaigns:ApprovalTolerancePercent</c> (default 10): how far the audience's size or
/// cost at launch may exceed what was approved before the launch is refused and approval asked again.
/// </param>
/// <param name="TestSendsPerHour">Issue 14, <c>Campaigns:TestSendsPerHour</c> (default 5): test sends per user in any hour.</param>
public sealed record ApprovalThresholds(decimal Cost, int Size, int TolerancePercent = ApprovalThresholds.DefaultTolerancePercent,
    int TestSendsPerHour = ApprovalThresholds.DefaultTestSendsPerHour)
{
    public const decimal DefaultCost = 50_000m;
    public const int DefaultSize = 500_000;
    public const int DefaultTolerancePercent = 10;
    public const int DefaultTestSendsPerHour = 5;

    public static ApprovalThresholds From(IConfiguration configuration) => new(
        decimal.TryParse(configuration["Campaigns:ApprovalCostThreshold"], NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) ? cost : DefaultCost,
        int.TryParse(configuration["Campaigns:ApprovalSizeThreshold"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : DefaultSize,
        int.TryParse(configuration["Campaigns:ApprovalTolerancePercent"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var tolerance) && tolerance >= 0
            ? tolerance : DefaultTolerancePercent,
        int.TryParse(configuration["Campaigns:TestSendsPerHour"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var tests) && tests >= 0
            ? tests : DefaultTestSendsPerHour);

    /// <summary>Null when the launch may go ahead; otherwise why it needs approval again.</summary>
    public string? Exceeded(int approvedRecipients, decimal approvedCost, CampaignEstimate now)
    {
        var factor = 1 + TolerancePercent / 100m;
        if (now.Recipients > approvedRecipients * factor)
        {
            return $"the audience grew from {approvedRecipients} approved to {now.Recipients} recipients";
        }
        return now.TotalCost > approvedCost * factor ? $"the cost grew from {approvedCost} approved to {now.TotalCost}" : null;
    }

    public bool Requires(CampaignEstimate estimate) => estimate.TotalCost > Cost || estimate.Recipients > Size;
}
