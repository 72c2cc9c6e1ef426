using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Issue 14: an approval covers the audience's rules and the size and cost the Manager saw, not a
/// segment id. At launch the rules' fingerprint is compared and size and cost are estimated again;
/// when the rules changed, or size or cost grew beyond <see cref="ApprovalThresholds.TolerancePercent"/>,
/// the launch is refused, the campaign goes back to Draft needing approval, and that is audited.
/// </summary>
public sealed class ApprovalGuard(ICampaignEstimator estimator, ApprovalThresholds thresholds, ICampaignSchedule schedule, AuditLog audit, TimeProvider clock)
{
    /// <summary>Null when the approval still holds (or the campaign was never approved); otherwise why not.</summary>
    public async Task<string?> BrokenAsync(PortalDbContext db, Campaign campaign, CancellationToken ct)
    {
        if (campaign.ApprovedAt is null) return null;
        var fingerprint = await CampaignOperations.AudienceFingerprintAsync(db, campaign, ct);
        // Approved before approvals recorded their audience: nobody knows what was approved, so ask again.
        if (campaign.ApprovedAudience is null || fingerprint != campaign.ApprovedAudience)
        {
            return $"the audience's rules changed after approval ({campaign.ApprovedAudience ?? "none recorded"} -> {fingerprint ?? "none"})";
        }
        var estimate = await estimator.EstimateAsync(campaign, null, ct);
        return thresholds.Exceeded(campaign.ApprovedRecipients ?? 0, campaign.ApprovedCost ?? 0m, estimate);
    }

    /// <summary>Scheduled -> Draft with the approval withdrawn (guarded: a campaign launched or cancelled meanwhile is left alone).</summary>
    public async Task RefuseAsync(PortalDbContext db, int campaignId, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Campaigns.Where(c => c.Id == campaignId && c.Status == CampaignStatus.Scheduled)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Draft)
                .SetProperty(c => c.RequiresApproval, true)
                .SetProperty(c => c.ApprovedAt, (DateTime?)null)
                .SetProperty(c => c.ApprovedBy, (string?)null)
                .SetProperty(c => c.ApprovedAudience, (string?)null)
                .SetProperty(c => c.ApprovedRecipients, (int?)null)
                .SetProperty(c => c.ApprovedCost, (decimal?)null)
                .SetProperty(c => c.UpdatedAt, now), ct);
        if (changed == 0) return;
        await schedule.UnscheduleAsync(campaignId, ct);
        await audit.WriteForUserAsync(null, "system", AuditActions.CampaignLaunchRefused, nameof(Campaign),
            campaignId.ToString(CultureInfo.InvariantCulture), "launch refused, needs approval again: " + reason, ct);
    }
}
