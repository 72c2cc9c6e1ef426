using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Identity;

namespace Portal.Identity;

/// <summary>
/// Refuses sign-in, and cookie refresh, to a disabled user. Issue 14 (ASVS V6.3.8): the password is
/// checked before anything about the account is said: a wrong password gets the same answer for a
/// disabled, locked or unknown account, so only someone who knows the password learns its state.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private static readonly PortalUser Nobody = new() { UserName = "nobody" };
    private static string? _nobodysHash;

    public override async Task<bool> CanSignInAsync(PortalUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<PortalUser?> ValidateSecurityStampAsync(System.Security.Claims.ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is { IsDisabled: false } ? user : null;
    }

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            SpendAHash(password);
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    /// <summary>Unlike the base class, which answers "locked out" or "not allowed" before it looks at the password.</summary>
    public override async Task<SignInResult> CheckPasswordSignInAsync(PortalUser user, string password, bool lockoutOnFailure)
    {
        if (!await UserManager.CheckPasswordAsync(user, password))
        {
            // A locked account does not count further failures (that would only extend the lock);
            // either way the answer is the same as for a wrong password.
            if (lockoutOnFailure && UserManager.SupportsUserLockout && !await UserManager.IsLockedOutAsync(user))
            {
                await UserManager.AccessFailedAsync(user);
            }
            return SignInResult.Failed;
        }
        if (await PreSignInCheck(user) is { } refused)
        {
            return refused;
        }
        // With MFA the failure count is reset only after the second factor (TwoFactorSignInAsync does it).
        if (UserManager.SupportsUserLockout && !await UserManager.GetTwoFactorEnabledAsync(user))
        {
            await UserManager.ResetAccessFailedCountAsync(user);
        }
        return SignInResult.Success;
    }

    /// <summary>
    /// Unlike the base class, which redeems a recovery code without looking at the lock: an account
    /// locked after the password step (five wrong authenticator codes, or an administrator) stays
    /// locked for recovery codes too, so they cannot be guessed without limit (TwoFactorPagesTests).
    /// </summary>
    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        if (await GetTwoFactorAuthenticationUserAsync() is { } user && await PreSignInCheck(user) is { } refused)
        {
            return refused;
        }
        return await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
    }

    /// <summary>An unknown name costs as much time as a wrong password, so timing does not tell which names exist.</summary>
    private void SpendAHash(string password)
    {
        _nobodysHash ??= UserManager.PasswordHasher.HashPassword(Nobody, Guid.NewGuid().ToString());
        UserManager.PasswordHasher.VerifyHashedPassword(Nobody, _nobodysHash, password);
    }
}
