using System.Security.Claims;
using Portal.Domain.Access;

namespace Portal.Components.Pages.Analytics;

/// <summary>
/// Who reads which campaign's results (issue 15): Administrators, Managers and Analysts every
/// department's, read-only; a campaign manager their own department's (and their own campaigns).
/// Results never carry a phone or a name, so no masking is needed here.
/// </summary>
public static class AnalyticsAccess
{
    public static bool SeesAllResults(this ClaimsPrincipal user) =>
        user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Analyst);

    public static bool CanSeeResults(this ClaimsPrincipal user, int? userDepartmentId, int? campaignDepartmentId, string campaignAuthor) =>
        user.SeesAllResults()
        || (campaignDepartmentId is not null && campaignDepartmentId == userDepartmentId)
        || string.Equals(user.Identity?.Name, campaignAuthor, StringComparison.OrdinalIgnoreCase);
}
