using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Identity;

namespace Portal.Identity;

/// <summary>
/// Re-checks an open Blazor circuit's user every <see cref="IdentitySettings.RevalidationInterval"/>:
/// a disabled user, or one whose roles changed (new security stamp), is signed out of the circuit.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> identityOptions,
    IOptions<IdentitySettings> settings,
    TimeProvider clock)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => settings.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        // Issue 14: an open circuit ends with the session's absolute lifetime, however busy it is.
        if (state.User.Identity?.IsAuthenticated == true &&
            AccountSecurity.IsPastAbsoluteLifetime(state.User.FindFirstValue(AccountSecurity.SignedInAt), settings.Value.AbsoluteSessionLifetime, clock))
        {
            return false;
        }
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await IsStillValidAsync(users, state.User, identityOptions.Value);
    }

    internal static async Task<bool> IsStillValidAsync(UserManager<PortalUser> users, ClaimsPrincipal principal, IdentityOptions options)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null || user.IsDisabled)
        {
            return false;
        }
        var stamp = principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
