using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Identity;

namespace Portal.Identity;

/// <summary>
/// Adds <see cref="AccountSecurity.SetupClaim"/> to a session whose account must first change its
/// password (after an administrator's reset) or enrol an authenticator (its role requires MFA).
/// Built at sign-in and at every security-stamp refresh, so a session loses the claim as soon as
/// the setup is done and the cookie is re-issued.
/// </summary>
public sealed class PortalClaimsPrincipalFactory(
    UserManager<PortalUser> userManager, RoleManager<IdentityRole> roleManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (await AccountSecurity.MustChangePasswordAsync(UserManager, user))
        {
            identity.AddClaim(new Claim(AccountSecurity.SetupClaim, AccountSecurity.SetupPassword));
        }
        var roles = identity.FindAll(Options.ClaimsIdentity.RoleClaimType).Select(c => c.Value);
        if (AccountSecurity.RequiresMfa(roles) && !await UserManager.GetTwoFactorEnabledAsync(user))
        {
            identity.AddClaim(new Claim(AccountSecurity.SetupClaim, AccountSecurity.SetupMfa));
        }
        return identity;
    }
}
