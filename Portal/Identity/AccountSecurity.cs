using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Portal.Domain.Access;
using Portal.Infrastructure.Identity;

namespace Portal.Identity;

/// <summary>
/// Issue 14: the rules of MFA, forced password change and the absolute session lifetime, in one
/// place for the sign-in pages, the claims factory, the cookie events and the setup gate.
/// </summary>
public static class AccountSecurity
{
    /// <summary>A claim on a session that may only finish setting up the account (values below).</summary>
    public const string SetupClaim = "portal:setup";
    public const string SetupPassword = "password";
    public const string SetupMfa = "mfa";

    /// <summary>When the password was entered (Unix seconds): cookie property and claim, kept across renewals.</summary>
    public const string SignedInAt = "portal:signed_in_at";

    public const string ChangePasswordPath = "/Account/ChangePassword";
    public const string EnrolPath = "/Account/EnableAuthenticator";

    // User tokens (AspNetUserTokens): no schema change for a per-user flag.
    private const string TokenProvider = "Portal";
    private const string MustChangePasswordToken = "MustChangePassword";

    /// <summary>ASVS V6.3.3: MFA for administrators and every role that sees personal data.</summary>
    public static bool RequiresMfa(IEnumerable<string> roles) =>
        roles.Any(r => r == Roles.Administrator || Roles.WithPersonalData.Contains(r));

    public static async Task<bool> MustChangePasswordAsync(UserManager<PortalUser> users, PortalUser user) =>
        await users.GetAuthenticationTokenAsync(user, TokenProvider, MustChangePasswordToken) is not null;

    public static Task<IdentityResult> SetMustChangePasswordAsync(UserManager<PortalUser> users, PortalUser user, bool value) =>
        value
            ? users.SetAuthenticationTokenAsync(user, TokenProvider, MustChangePasswordToken, "1")
            : users.RemoveAuthenticationTokenAsync(user, TokenProvider, MustChangePasswordToken);

    /// <summary>Where a session carrying setup claims must go first (password before MFA), or null.</summary>
    public static string? PendingSetupPath(ClaimsPrincipal user)
    {
        var setup = user.FindAll(SetupClaim).Select(c => c.Value).ToList();
        return setup.Contains(SetupPassword) ? ChangePasswordPath : setup.Contains(SetupMfa) ? EnrolPath : null;
    }

    /// <summary>
    /// A reference to what was typed as a user name that did not match an account: a 24-bit prefix of
    /// its SHA-256. Repeated attempts with one name correlate; the text (sometimes a password) cannot
    /// be recovered from so short a prefix, which collides for millions of inputs.
    /// </summary>
    public static string UnknownNameReference(string typed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(typed.Trim().ToUpperInvariant()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 3));
    }

    /// <summary>The otpauth URI an authenticator app reads from the QR code (Key URI Format).</summary>
    public static string AuthenticatorUri(string issuer, string email, string key) =>
        string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(issuer)}&digits=6");

    /// <summary>The key in groups of four, easier to type into an app than one 32-character run.</summary>
    public static string FormatKey(string key)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            sb.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        return sb.ToString().TrimEnd().ToLowerInvariant();
    }

    /// <summary>Stamps a new sign-in with its time and copies the time of a renewed one into the claims.</summary>
    public static void OnSigningIn(CookieSigningInContext context, TimeProvider clock)
    {
        if (!context.Properties.Items.TryGetValue(SignedInAt, out var at) || at is null)
        {
            at = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            context.Properties.Items[SignedInAt] = at;
        }
        if (context.Principal?.Identity is ClaimsIdentity identity && !identity.HasClaim(c => c.Type == SignedInAt))
        {
            identity.AddClaim(new Claim(SignedInAt, at));
        }
    }

    /// <summary>Whether a session that began at <paramref name="signedInAt"/> (Unix seconds) is past the absolute lifetime; a missing time counts as expired.</summary>
    public static bool IsPastAbsoluteLifetime(string? signedInAt, TimeSpan lifetime, TimeProvider clock) =>
        !long.TryParse(signedInAt, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        || clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) >= lifetime;

    /// <summary>Security-stamp refreshes build a new principal: keep the sign-in time and how the user signed in.</summary>
    public static Task CopySessionClaims(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.NewPrincipal?.Identity is ClaimsIdentity identity && context.CurrentPrincipal is { } current)
        {
            foreach (var type in new[] { SignedInAt, "amr" })
            {
                if (current.FindFirst(type) is { } claim && !identity.HasClaim(c => c.Type == type))
                {
                    identity.AddClaim(new Claim(type, claim.Value));
                }
            }
        }
        return Task.CompletedTask;
    }
}

/// <summary>Audit actions of a user's own account security (kept here, next to the pages that write them).</summary>
public static class AccountAuditActions
{
    public const string MfaEnabled = "auth.mfa-enabled";
    public const string RecoveryCodesRenewed = "auth.recovery-codes-renewed";
    public const string RecoveryCodeUsed = "auth.recovery-code-used";
    public const string PasswordChanged = "auth.password-changed";
}
