using System.Security.Claims;
using Portal.Domain.Access;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>Signed-in users for campaign operations (issue 14: they take a principal, not a name).</summary>
internal static class Actors
{
    public static ClaimsPrincipal Principal(string id, string name, params string[] roles) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    /// <summary>The author of <c>DispatchHarness.CreateAsync</c>'s campaigns, a campaign manager.</summary>
    public static ClaimsPrincipal Author => Principal("u-author", "author", Roles.CampaignManager);

    public static ClaimsPrincipal Manager => Principal("u-manager", "manager@portal.local", Roles.Manager);

    public static ClaimsPrincipal Operator => Principal("u-operator", "operator", Roles.Administrator);
}
