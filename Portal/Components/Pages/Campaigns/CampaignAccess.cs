using System.Security.Claims;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// Who sees and acts on which campaign: administrators and managers see every department's,
/// campaign managers their own department's only; approval is a Manager's (or an administrator's)
/// and never the author's.
/// </summary>
public static class CampaignAccess
{
    public static bool SeesAllDepartments(this ClaimsPrincipal user) => CampaignVisibility.SeesAllDepartments(user);

    /// <summary>The author always sees their own campaign: a campaign manager without a department would otherwise lose the draft the wizard just saved.</summary>
    public static bool CanSee(this ClaimsPrincipal user, int? userDepartmentId, Campaign campaign) =>
        CampaignVisibility.CanSee(user, userDepartmentId, campaign);

    public static bool CanApprove(this ClaimsPrincipal user, Campaign campaign) => CampaignVisibility.CanApprove(user, campaign);

    /// <summary>Awaiting approval: a draft whose size or cost needs it and that nobody approved yet.</summary>
    public static bool AwaitsApproval(this Campaign campaign) =>
        campaign.Status == CampaignStatus.Draft && campaign.RequiresApproval && campaign.ApprovedAt is null;
}
