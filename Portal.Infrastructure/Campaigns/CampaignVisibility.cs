using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Persistence;

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

    /// <summary>The roles of the Campaigns policy: the only ones that act on campaigns at all.</summary>
    public static bool WorksWithCampaigns(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.CampaignManager) || user.IsInRole(Roles.Manager);

    public static bool CanSee(ClaimsPrincipal user, int? userDepartmentId, Campaign campaign) =>
        SeesAllDepartments(user) || (campaign.DepartmentId is not null && campaign.DepartmentId == userDepartmentId)
        || string.Equals(user.Identity?.Name, campaign.CreatedBy, StringComparison.OrdinalIgnoreCase);

    /// <summary>Approval is a Manager's (or an administrator's) and never the author's: four eyes.</summary>
    public static bool CanApprove(ClaimsPrincipal user, Campaign campaign) =>
        (user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Administrator))
        && !string.Equals(user.Identity?.Name, campaign.CreatedBy, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The user's department read from their row (by id, else by name), not from a claim: moving
    /// someone to another department takes effect at once.
    /// </summary>
    public static async Task<int?> DepartmentOfAsync(PortalDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var name = (user.Identity?.Name ?? "").ToUpperInvariant();
        return await db.Users.AsNoTracking().Where(u => id != null ? u.Id == id : u.NormalizedUserName == name).Select(u => u.DepartmentId).FirstOrDefaultAsync(ct);
    }
}
