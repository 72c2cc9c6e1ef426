using System.Security.Claims;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Which campaigns a user may see and act on, checked on the server by every id-based operation
/// (issue 14): administrators and managers every department's, everyone else their own
/// department's and the ones they wrote. The pages' <c>CampaignAccess</c> asks the same rule.
/// </summary>
public static class CampaignVisibility
{
    public static bool SeesAllDepartments(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Manager);

    public static bool CanSee(ClaimsPrincipal user, int? userDepartmentId, Campaign campaign) =>
        SeesAllDepartments(user) || (campaign.DepartmentId is not null && campaign.DepartmentId == userDepartmentId)
        || string.Equals(user.Identity?.Name, campaign.CreatedBy, StringComparison.OrdinalIgnoreCase);
}
