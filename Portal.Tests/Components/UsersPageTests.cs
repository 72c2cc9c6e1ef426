using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Domain.Access;
using Portal.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>The Users page over the real <see cref="UserAccounts"/>: the list, and a user created through the editor dialog.</summary>
public sealed class UsersPageTests
{
    [Fact]
    public async Task Page_ListsUsers_CreatesOneWithAGeneratedPassword_AndReportsADuplicate()
    {
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        app.Settings["Sending:EmbeddedSimulator"] = "false";
        await app.StartAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, PortalAppFactory.AdminEmail), new Claim(ClaimTypes.Role, Roles.Administrator)], "test"));
        Assert.True((await accounts.CreateAsync(admin, new UserEdit("old@portal.local", "Olga Old", null, [Roles.Analyst]), "Old-Password-123!")).Succeeded);
        Assert.True((await accounts.SetDisabledAsync(admin, (await accounts.ListAsync(default)).Single(u => u.Email == "old@portal.local").Id, true)).Succeeded);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(accounts);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<Users>();

        page.WaitForAssertion(() => Assert.Contains("Olga Old", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Contains(PortalAppFactory.AdminEmail, page.Markup);
        Assert.Contains("Disabled", page.Markup);

        await CreateThroughTheEditorAsync(page, dialogs, "new@portal.local", "Nina New");
        var password = dialogs.WaitForElement("[data-testid=new-password]", TimeSpan.FromSeconds(10)).TextContent;
        Assert.True(password.Length >= 12, password);
        var created = (await accounts.ListAsync(default)).Single(u => u.Email == "new@portal.local");
        Assert.Equal([Roles.Analyst], created.Roles);
        // The list reloads once the administrator has closed the password box.
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").First(b => b.TextContent.Contains("Done")).Click());
        page.WaitForAssertion(() => Assert.Contains("Nina New", page.Markup), TimeSpan.FromSeconds(10));

        await CreateThroughTheEditorAsync(page, dialogs, "new@portal.local", "Nina Again");
        var snackbar = ctx.Services.GetRequiredService<ISnackbar>();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "A user with email 'new@portal.local' already exists."), TimeSpan.FromSeconds(10));
        Assert.Single(await accounts.ListAsync(default), u => u.Email == "new@portal.local");
    }

    private static async Task CreateThroughTheEditorAsync(IRenderedComponent<Users> page, IRenderedComponent<MudDialogProvider> dialogs, string email, string name)
    {
        await page.InvokeAsync(() => page.Find("[data-testid=create-user]").Click());
        dialogs.WaitForElement("[data-testid=user-save]", TimeSpan.FromSeconds(10));
        var editor = dialogs.FindComponent<UserEditorDialog>();
        var fields = editor.FindComponents<MudTextField<string>>();
        await dialogs.InvokeAsync(() => fields[0].Instance.ValueChanged.InvokeAsync(email));
        await dialogs.InvokeAsync(() => fields[1].Instance.ValueChanged.InvokeAsync(name));
        await dialogs.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[0].Instance.SelectedValuesChanged.InvokeAsync([Roles.Analyst]));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-testid=user-save]").Click());
    }
}
