using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Seeding;
using Microsoft.Extensions.Localization;
using Portal.Resources;

namespace Portal.Identity;

public sealed record UserRow(string Id, string Email, string DisplayName, int? DepartmentId, string? Department,
    IReadOnlyList<string> Roles, bool IsDisabled, bool IsLockedOut, DateTime CreatedAt, string? Phone = null);

/// <param name="Phone">
/// Issue 14: the user's own phone, the only target of their test sends. Set by an administrator,
/// who vouches for it, so it is stored verified; empty removes it.
/// </param>
public sealed record UserEdit(string Email, string DisplayName, int? DepartmentId, IReadOnlyCollection<string> Roles, string? Phone = null);

/// <summary>The outcome of an account change: errors in words the administrator can act on.</summary>
public sealed record AccountResult(bool Succeeded, IReadOnlyList<string> Errors, string? NewPassword = null)
{
    public static AccountResult Ok(string? password = null) => new(true, [], password);
    public static AccountResult Fail(params string[] errors) => new(false, errors);
    public static AccountResult From(IdentityResult r) => r.Succeeded ? Ok() : new(false, r.Errors.Select(e => e.Description).ToList());
}

/// <summary>
/// User administration for the admin page. Each call uses its own scope: a Blazor circuit lives
/// for hours and must not keep one Identity/EF unit of work that long.
/// </summary>
public sealed class UserAccounts(IServiceScopeFactory scopes, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L)
{
    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Persistence.PortalDbContext>();
        var now = clock.GetUtcNow();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        var departments = await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name, ct);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name })
            .ToListAsync(ct);
        var rolesByUser = roles.ToLookup(r => r.UserId, r => r.Name!);
        return users.Select(u => new UserRow(u.Id, u.Email ?? "", u.DisplayName, u.DepartmentId,
            u.DepartmentId is { } d && departments.TryGetValue(d, out var name) ? name : null,
            rolesByUser[u.Id].Order().ToList(), u.IsDisabled, u.LockoutEnd > now, u.CreatedAt, u.PhoneNumberConfirmed ? u.PhoneNumber : null)).ToList();
    }

    public async Task<IReadOnlyList<(int Id, string Name)>> DepartmentsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Persistence.PortalDbContext>();
        return (await db.Departments.AsNoTracking().OrderBy(d => d.Name).Select(d => new { d.Id, d.Name }).ToListAsync(ct))
            .Select(d => (d.Id, d.Name)).ToList();
    }

    /// <param name="password">Empty: a strong one is generated and returned once.</param>
    public async Task<AccountResult> CreateAsync(ClaimsPrincipal actor, UserEdit edit, string? password)
    {
        if (Validate(edit) is { } invalid)
        {
            return invalid;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var generated = string.IsNullOrEmpty(password);
        password = generated ? DemoDataSeeder.GeneratePassword() : password;
        var user = new PortalUser
        {
            UserName = edit.Email.Trim(), Email = edit.Email.Trim(), EmailConfirmed = true,
            DisplayName = edit.DisplayName.Trim(), DepartmentId = edit.DepartmentId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        SetPhone(user, edit.Phone);
        var result = await users.CreateAsync(user, password!);
        if (!result.Succeeded)
        {
            return AccountResult.From(result);
        }
        result = await users.AddToRolesAsync(user, edit.Roles);
        if (!result.Succeeded)
        {
            await users.DeleteAsync(user);
            return AccountResult.From(result);
        }
        await audit.WriteAsync(actor, AuditActions.UserCreated, "User", user.Id, $"roles={string.Join(",", edit.Roles)}");
        return AccountResult.Ok(generated ? password : null);
    }

    public async Task<AccountResult> UpdateAsync(ClaimsPrincipal actor, string userId, UserEdit edit)
    {
        if (Validate(edit) is { } invalid)
        {
            return invalid;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.Fail(L["The user no longer exists."]);
        }
        user.DisplayName = edit.DisplayName.Trim();
        user.DepartmentId = edit.DepartmentId;
        var phoneChanged = SetPhone(user, edit.Phone);
        var current = await users.GetRolesAsync(user);
        if (IsSelf(actor, userId) && current.Contains(Roles.Administrator) && !edit.Roles.Contains(Roles.Administrator))
        {
            return AccountResult.Fail(L["You cannot remove your own Administrator role."]);
        }
        var result = await users.UpdateAsync(user);
        if (result.Succeeded)
        {
            result = await users.RemoveFromRolesAsync(user, current.Except(edit.Roles));
        }
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, edit.Roles.Except(current));
        }
        if (result.Succeeded && !current.ToHashSet().SetEquals(edit.Roles))
        {
            // Open sessions carry the old roles: a new stamp makes them re-sign-in at the next check.
            result = await users.UpdateSecurityStampAsync(user);
        }
        if (result.Succeeded)
        {
            await audit.WriteAsync(actor, AuditActions.UserUpdated, "User", user.Id, $"roles={string.Join(",", edit.Roles)}; department={edit.DepartmentId}"
                + (phoneChanged ? $"; verified phone={PersonalDataMask.Phone(user.PhoneNumber)}" : ""));
        }
        return AccountResult.From(result);
    }

    /// <summary>Disables or re-enables a user. Disabling ends open sessions within the revalidation interval.</summary>
    public async Task<AccountResult> SetDisabledAsync(ClaimsPrincipal actor, string userId, bool disabled)
    {
        if (disabled && IsSelf(actor, userId))
        {
            return AccountResult.Fail(L["You cannot disable your own account."]);
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.Fail(L["The user no longer exists."]);
        }
        user.IsDisabled = disabled;
        var result = await users.UpdateAsync(user);
        if (result.Succeeded)
        {
            result = await users.UpdateSecurityStampAsync(user);
        }
        if (result.Succeeded && !disabled)
        {
            result = await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
        }
        if (result.Succeeded)
        {
            await audit.WriteAsync(actor, disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, "User", user.Id);
        }
        return AccountResult.From(result);
    }

    /// <summary>Sets a new generated temporary password, returned once, that must be changed at the next sign-in; ends the user's open sessions.</summary>
    public async Task<AccountResult> ResetPasswordAsync(ClaimsPrincipal actor, string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.Fail(L["The user no longer exists."]);
        }
        var password = DemoDataSeeder.GeneratePassword();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded)
        {
            return AccountResult.From(result);
        }
        // Issue 14: the generated password is temporary: the next sign-in must replace it before anything else.
        result = await AccountSecurity.SetMustChangePasswordAsync(users, user, true);
        if (!result.Succeeded)
        {
            return AccountResult.From(result);
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await audit.WriteAsync(actor, AuditActions.UserUpdated, "User", user.Id, "password reset");
        return AccountResult.Ok(password);
    }

    /// <summary>An administrator's phone is stored normalized and verified (they vouch for it); true when it changed.</summary>
    private static bool SetPhone(PortalUser user, string? phone)
    {
        var value = string.IsNullOrWhiteSpace(phone) ? null : PhoneNumber.TryParse(phone, out var number, out _) ? number.Value : null;
        if (value == user.PhoneNumber && user.PhoneNumberConfirmed == (value is not null)) return false;
        user.PhoneNumber = value;
        user.PhoneNumberConfirmed = value is not null;
        return true;
    }

    private AccountResult? Validate(UserEdit edit)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(edit.Phone) && !PhoneNumber.TryParse(edit.Phone, out _, out _))
        {
            errors.Add(L["Enter a phone number, e.g. +7 912 345-67-89."]);
        }
        if (string.IsNullOrWhiteSpace(edit.Email) || !edit.Email.Contains('@'))
        {
            errors.Add(L["Enter the user's work email."]);
        }
        if (string.IsNullOrWhiteSpace(edit.DisplayName))
        {
            errors.Add(L["Enter the user's name."]);
        }
        if (edit.Roles.Count == 0)
        {
            errors.Add(L["Choose at least one role."]);
        }
        if (edit.Roles.Except(Roles.All).FirstOrDefault() is { } unknown)
        {
            errors.Add(L["Unknown role '{0}'.", unknown]);
        }
        return errors.Count == 0 ? null : AccountResult.Fail([.. errors]);
    }

    private static bool IsSelf(ClaimsPrincipal actor, string userId) => actor.FindFirstValue(ClaimTypes.NameIdentifier) == userId;
}
