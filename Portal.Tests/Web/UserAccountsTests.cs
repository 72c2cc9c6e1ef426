using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// The admin page's user administration (<see cref="UserAccounts"/>) in the real host: what it
/// refuses, in words an administrator can act on, and what each change leaves behind.
/// </summary>
public sealed class UserAccountsTests : IAsyncLifetime
{
    private PortalAppFactory _app = default!;
    private AsyncServiceScope _scope;
    private UserAccounts _accounts = default!;
    private string _adminId = default!;
    private ClaimsPrincipal _admin = default!;

    public async Task InitializeAsync()
    {
        _app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        await _app.StartAsync();
        _scope = _app.Services.CreateAsyncScope();
        _accounts = _scope.ServiceProvider.GetRequiredService<UserAccounts>();
        await using var scope = _app.Services.CreateAsyncScope();
        _adminId = (await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(PortalAppFactory.AdminEmail))!.Id;
        _admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, _adminId), new Claim(ClaimTypes.Name, PortalAppFactory.AdminEmail),
            new Claim(ClaimTypes.Role, Roles.Administrator)], "test"));
    }

    public async Task DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Create_WithEveryFieldWrong_ListsEachProblem()
    {
        var result = await _accounts.CreateAsync(_admin, new UserEdit(" ", " ", null, [], "12345"), null);

        Assert.False(result.Succeeded);
        Assert.Equal(["Enter a phone number, e.g. +7 912 345-67-89.", "Enter the user's work email.", "Enter the user's name.", "Choose at least one role."], result.Errors);
        var unknown = await _accounts.CreateAsync(_admin, new UserEdit("a@portal.local", "A", null, ["Wizard"]), null);
        Assert.Equal(["Unknown role 'Wizard'."], unknown.Errors);
    }

    [Fact]
    public async Task Create_GeneratesAPasswordOnce_ListsTheUser_AndRefusesTheSameEmailAndWeakPasswords()
    {
        var created = await _accounts.CreateAsync(_admin, new UserEdit(" ann.test@portal.local ", " Ann Analyst ", null, [Roles.Analyst], "+7 916 555-44-33"), null);

        Assert.True(created.Succeeded, string.Join("; ", created.Errors));
        Assert.False(string.IsNullOrWhiteSpace(created.NewPassword));
        var row = Assert.Single(await _accounts.ListAsync(default), u => u.Email == "ann.test@portal.local");
        Assert.Equal(("Ann Analyst", "+79165554433", false), (row.DisplayName, row.Phone, row.IsDisabled));
        Assert.Equal([Roles.Analyst], row.Roles);

        var again = await _accounts.CreateAsync(_admin, new UserEdit("ann.test@portal.local", "Other", null, [Roles.Analyst]), "Another-Password-1!");
        Assert.False(again.Succeeded);
        Assert.Contains("A user with email 'ann.test@portal.local' already exists.", again.Errors);

        var weak = await _accounts.CreateAsync(_admin, new UserEdit("weak@portal.local", "Weak", null, [Roles.Analyst]), "abc");
        Assert.False(weak.Succeeded);
        Assert.Contains(weak.Errors, e => e.StartsWith("Passwords must be at least ", StringComparison.Ordinal));
        Assert.DoesNotContain(await _accounts.ListAsync(default), u => u.Email == "weak@portal.local");
    }

    [Fact]
    public async Task Update_ChangesRolesAndPhone_RefusesAGoneUser_AndTheAdministratorsOwnRole()
    {
        Assert.True((await _accounts.CreateAsync(_admin, new UserEdit("max.test@portal.local", "Max", null, [Roles.Manager]), "Manager-Password-1!")).Succeeded);
        var id = (await _accounts.ListAsync(default)).Single(u => u.Email == "max.test@portal.local").Id;

        var updated = await _accounts.UpdateAsync(_admin, id, new UserEdit("max.test@portal.local", "Max Manager", null, [Roles.Manager, Roles.Analyst], "8 916 111-22-33"));

        Assert.True(updated.Succeeded, string.Join("; ", updated.Errors));
        var row = (await _accounts.ListAsync(default)).Single(u => u.Id == id);
        Assert.Equal(("Max Manager", "+79161112233"), (row.DisplayName, row.Phone));
        Assert.Equal(new[] { Roles.Analyst, Roles.Manager }.Order(), row.Roles);

        var gone = await _accounts.UpdateAsync(_admin, "no-such-id", new UserEdit("x@portal.local", "X", null, [Roles.Analyst]));
        Assert.Equal(["The user no longer exists."], gone.Errors);
        var self = await _accounts.UpdateAsync(_admin, _adminId, new UserEdit(PortalAppFactory.AdminEmail, "Admin", null, [Roles.Analyst]));
        Assert.Equal(["You cannot remove your own Administrator role."], self.Errors);
        Assert.Contains(Roles.Administrator, (await _accounts.ListAsync(default)).Single(u => u.Id == _adminId).Roles);
    }

    [Fact]
    public async Task DisableEnableAndReset_ChangeTheAccount_RefuseSelfAndGoneUsers()
    {
        Assert.True((await _accounts.CreateAsync(_admin, new UserEdit("vera.test@portal.local", "Vera", null, [Roles.Analyst]), "Viewer-Password-1!")).Succeeded);
        var id = (await _accounts.ListAsync(default)).Single(u => u.Email == "vera.test@portal.local").Id;

        Assert.True((await _accounts.SetDisabledAsync(_admin, id, true)).Succeeded);
        Assert.True((await _accounts.ListAsync(default)).Single(u => u.Id == id).IsDisabled);
        Assert.True((await _accounts.SetDisabledAsync(_admin, id, false)).Succeeded);
        Assert.False((await _accounts.ListAsync(default)).Single(u => u.Id == id).IsDisabled);

        Assert.Equal(["You cannot disable your own account."], (await _accounts.SetDisabledAsync(_admin, _adminId, true)).Errors);
        Assert.Equal(["The user no longer exists."], (await _accounts.SetDisabledAsync(_admin, "no-such-id", true)).Errors);
        Assert.Equal(["The user no longer exists."], (await _accounts.ResetPasswordAsync(_admin, "no-such-id")).Errors);

        var reset = await _accounts.ResetPasswordAsync(_admin, id);
        Assert.True(reset.Succeeded, string.Join("; ", reset.Errors));
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(id))!;
        Assert.True(await users.CheckPasswordAsync(user, reset.NewPassword!));
        Assert.False(await users.CheckPasswordAsync(user, "Viewer-Password-1!"));
    }
}
