using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Domain.Access;
using Portal.Domain.Integrations;
using Portal.Identity;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Api;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The API key pages' remaining paths (issue 21): a cancelled editor or confirmation changes nothing,
/// refusals and failures are shown in words (with a reference for the unexpected), a missing or revoked key says so.
/// </summary>
public sealed class ApiKeyPagesActionsTests
{
    private sealed class Contexts(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    private sealed record Harness(BunitContext Ctx, ApiKeyService Keys, IRenderedComponent<MudDialogProvider> Dialogs,
        IRenderedComponent<MudPopoverProvider> Popovers, ISnackbar Snackbar, ConcurrentQueue<string> Logs);

    private static Harness Build(TestDatabase database)
    {
        var contexts = new Contexts(database);
        var keys = new ApiKeyService(contexts, new AuditLog(contexts, TimeProvider.System), TimeProvider.System);
        var logs = new ConcurrentQueue<string>();
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddLogging(b => b.AddProvider(new CapturingLoggerProvider(logs)));
        ctx.Services.AddSingleton(keys);
        ctx.Services.AddSingleton(new CallbackSecrets(new EphemeralDataProtectionProvider()));
        ctx.Services.AddSingleton(new StatusCallbackOutbox(TimeProvider.System));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var popovers = ctx.Render<MudPopoverProvider>();
        var dialogs = ctx.Render<MudDialogProvider>();
        return new Harness(ctx, keys, dialogs, popovers, ctx.Services.GetRequiredService<ISnackbar>(), logs);
    }

    private static async Task DropAuditAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        await db.Database.ExecuteSqlRawAsync("DROP TABLE \"AuditEntries\"");
    }

    private static void AssertReferenceLogged(string shown, ConcurrentQueue<string> logs)
    {
        Assert.StartsWith("Something went wrong", shown.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("no such table", shown, StringComparison.OrdinalIgnoreCase);
        var reference = Regex.Match(shown, "administrator: ([0-9a-f]{12})").Groups[1].Value;
        Assert.NotEmpty(reference);
        Assert.Contains(logs, line => line.Contains(reference, StringComparison.Ordinal) && line.Contains("no such table", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task OpenEditorAsync(Harness h, IRenderedComponent<ApiKeys> page)
    {
        await page.InvokeAsync(() => page.Find("[data-testid=create-api-key]").Click());
        h.Dialogs.WaitForElement("[data-testid=api-key-save]", TimeSpan.FromSeconds(10));
    }

    private static async Task FillAndCreateAsync(Harness h, string name)
    {
        var editor = h.Dialogs.FindComponent<ApiKeyEditorDialog>();
        await h.Dialogs.InvokeAsync(() => editor.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync(name));
        await h.Dialogs.InvokeAsync(() => editor.FindComponent<MudSelect<string>>().Instance.SelectedValuesChanged.InvokeAsync([ApiScopes.EventsWrite]));
        await h.Dialogs.InvokeAsync(() => h.Dialogs.Find("[data-testid=api-key-save]").Click());
    }

    [Fact]
    public async Task ApiKeys_CancelledEditorAndRevoke_ChangeNothing_AnInvalidNameIsRefused_AFailingDatabaseGivesAReference()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var h = Build(database);
        await using var _ = h.Ctx;
        var (kept, _) = await h.Keys.CreateAsync(ApiTestHost.Admin, "Kept key", [ApiScopes.EventsWrite], 60, default);
        var page = h.Ctx.Render<ApiKeys>();
        page.WaitForAssertion(() => Assert.Contains("Kept key", page.Markup));

        await OpenEditorAsync(h, page);
        // Every scope is offered.
        await h.Dialogs.InvokeAsync(() => h.Dialogs.FindComponent<ApiKeyEditorDialog>().FindComponent<MudSelect<string>>().Instance.OpenMenu());
        h.Popovers.WaitForAssertion(() => Assert.All(ApiScopes.All, scope => Assert.Contains(scope, h.Popovers.Markup)));
        await h.Dialogs.InvokeAsync(() => h.Dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click());
        h.Dialogs.WaitForAssertion(() => Assert.Empty(h.Dialogs.FindAll("[data-testid=api-key-save]")));
        Assert.Single(await h.Keys.ListAsync(default));
        Assert.Empty(h.Snackbar.ShownSnackbars);

        // The editor checks only that a name is there; the key itself refuses a name over 100 characters.
        await OpenEditorAsync(h, page);
        await FillAndCreateAsync(h, new string('k', 120));
        page.WaitForAssertion(() => Assert.Contains(h.Snackbar.ShownSnackbars, s => s.Message == "A key's name is 1 to 100 characters."));
        Assert.Single(await h.Keys.ListAsync(default));
        Assert.Empty(h.Dialogs.FindAll("[data-testid=new-api-key]"));

        // Revoke asks first: cancelled, the key stays active.
        await page.InvokeAsync(() => page.Find($"[data-testid=revoke-{kept.Prefix}]").Click());
        h.Dialogs.WaitForAssertion(() => Assert.Contains("stops working at once", h.Dialogs.Markup), TimeSpan.FromSeconds(10));
        await h.Dialogs.InvokeAsync(() => h.Dialogs.FindAll("button").Last(b => b.TextContent.Trim() == "Cancel").Click());
        h.Dialogs.WaitForAssertion(() => Assert.DoesNotContain("stops working at once", h.Dialogs.Markup));
        Assert.Null((await h.Keys.ListAsync(default)).Single().RevokedAt);
        Assert.Single(page.FindAll($"[data-testid=revoke-{kept.Prefix}]"));

        // The key is written, then its audit entry fails: no key is shown, a reference is.
        await DropAuditAsync(database);
        await OpenEditorAsync(h, page);
        await FillAndCreateAsync(h, "Half made");
        page.WaitForAssertion(() => Assert.Contains(h.Snackbar.ShownSnackbars, s => (s.Message ?? "").StartsWith("Something went wrong", StringComparison.Ordinal)));
        AssertReferenceLogged(h.Snackbar.ShownSnackbars.First(s => (s.Message ?? "").StartsWith("Something went wrong", StringComparison.Ordinal)).Message ?? "", h.Logs);
        Assert.Empty(h.Dialogs.FindAll("[data-testid=new-api-key]"));
    }

    [Fact]
    public async Task ApiKeySettings_MissingKey_RevokedKey_KeyDeletedBeforeSaving_AndAFailingDatabase_AreEachShown()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var h = Build(database);
        await using var _ = h.Ctx;

        var missing = h.Ctx.Render<ApiKeySettings>(p => p.Add(x => x.Id, 4242));
        missing.WaitForAssertion(() => Assert.Equal("There is no such API key.", missing.Find("[data-testid=api-key-missing]").TextContent.Trim()));
        Assert.Empty(missing.FindAll("[data-testid=settings-save]"));

        var (revoked, _) = await h.Keys.CreateAsync(ApiTestHost.Admin, "Old shop", [ApiScopes.EventsWrite], 60, default);
        await h.Keys.RevokeAsync(ApiTestHost.Admin, revoked.Id, default);
        var old = h.Ctx.Render<ApiKeySettings>(p => p.Add(x => x.Id, revoked.Id));
        old.WaitForAssertion(() => Assert.Contains("This key is revoked: its settings no longer matter.", old.Markup));

        var (key, _) = await h.Keys.CreateAsync(ApiTestHost.Admin, "Billing", [ApiScopes.MessagesSend], 600, default);
        var page = h.Ctx.Render<ApiKeySettings>(p => p.Add(x => x.Id, key.Id));
        page.WaitForAssertion(() => Assert.Contains("Billing", page.Markup));
        Assert.DoesNotContain("This key is revoked", page.Markup);

        await DropAuditAsync(database);
        await page.InvokeAsync(() => page.Find("[data-testid=settings-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("Something went wrong", page.Find("[data-testid=settings-error]").TextContent));
        AssertReferenceLogged(page.Find("[data-testid=settings-error]").TextContent, h.Logs);
        Assert.Empty(page.FindAll("[data-testid=new-callback-secret]"));

        await using (var db = database.CreateContext())
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteDeleteAsync();
        }
        await page.InvokeAsync(() => page.Find("[data-testid=settings-save]").Click());
        page.WaitForAssertion(() => Assert.Equal("There is no such API key.", page.Find("[data-testid=settings-error]").TextContent.Trim()));
        Assert.DoesNotContain(h.Snackbar.ShownSnackbars, s => s.Message == "Settings saved.");
    }
}

/// <summary>The Users page's row actions (issue 21): edit, disable and enable, reset a password, each through the menu.</summary>
public sealed class UsersPageActionsTests
{
    [Fact]
    public async Task RowMenu_EditsDisablesEnablesAndResetsAPassword_ACancelledEditorOrResetChangesNothing()
    {
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        app.Settings["Sending:EmbeddedSimulator"] = "false";
        await app.StartAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, PortalAppFactory.AdminEmail), new Claim(ClaimTypes.Role, Roles.Administrator)], "test"));
        const string email = "vera@portal.local";
        Assert.True((await accounts.CreateAsync(admin, new UserEdit(email, "Vera Victim", null, [Roles.Analyst]), "Vera-Password-123!")).Succeeded);
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        await userManager.SetLockoutEndDateAsync((await userManager.FindByEmailAsync(email))!, DateTimeOffset.UtcNow.AddHours(1));
        UserRow Vera() => accounts.ListAsync(default).GetAwaiter().GetResult().Single(u => u.Email == email);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(accounts);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var popovers = ctx.Render<MudPopoverProvider>();
        var dialogs = ctx.Render<MudDialogProvider>();
        var snackbar = ctx.Services.GetRequiredService<ISnackbar>();
        var page = ctx.Render<Users>();
        page.WaitForAssertion(() => Assert.Contains("Vera Victim", page.Markup), TimeSpan.FromSeconds(10));
        string RowOf() => page.FindAll("[data-testid=users-table] tbody tr").Single(r => r.TextContent.Contains(email)).TextContent;
        Assert.Contains("Locked out", RowOf());

        async Task MenuAsync(string item)
        {
            await page.InvokeAsync(() => page.Find($"[data-testid='actions-{email}'] button").Click());
            popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-menu-item"), i => i.TextContent.Trim() == item));
            await popovers.InvokeAsync(() => popovers.FindAll(".mud-menu-item").First(i => i.TextContent.Trim() == item).Click());
        }

        // A cancelled "new user" creates nobody.
        var users = (await accounts.ListAsync(default)).Count;
        await page.InvokeAsync(() => page.Find("[data-testid=create-user]").Click());
        dialogs.WaitForElement("[data-testid=user-save]", TimeSpan.FromSeconds(10));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click());
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=user-save]")));
        Assert.Equal(users, (await accounts.ListAsync(default)).Count);
        Assert.Empty(snackbar.ShownSnackbars);

        await MenuAsync("Disable");
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "User disabled: open sessions end within a minute."), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Contains("Disabled", RowOf()));
        Assert.True(Vera().IsDisabled);

        await MenuAsync("Enable");
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "User enabled."), TimeSpan.FromSeconds(10));
        Assert.False(Vera().IsDisabled);

        await MenuAsync("Edit");
        dialogs.WaitForElement("[data-testid=user-save]", TimeSpan.FromSeconds(10));
        var editor = dialogs.FindComponent<UserEditorDialog>();
        await dialogs.InvokeAsync(() => editor.FindComponents<MudTextField<string>>()[1].Instance.ValueChanged.InvokeAsync("Vera Renamed"));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-testid=user-save]").Click());
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "User saved."), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Contains("Vera Renamed", RowOf()), TimeSpan.FromSeconds(10));
        Assert.Equal("Vera Renamed", Vera().DisplayName);

        var stamp = (await userManager.FindByEmailAsync(email))!.PasswordHash;
        await MenuAsync("Reset password");
        dialogs.WaitForAssertion(() => Assert.Contains("A temporary password will be generated", dialogs.Markup), TimeSpan.FromSeconds(10));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Last(b => b.TextContent.Trim() == "Cancel").Click());
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("A temporary password will be generated", dialogs.Markup));
        Assert.DoesNotContain(snackbar.ShownSnackbars, s => s.Message == "Password reset.");

        await MenuAsync("Reset password");
        dialogs.WaitForAssertion(() => Assert.Contains("A temporary password will be generated", dialogs.Markup), TimeSpan.FromSeconds(10));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Last(b => b.TextContent.Trim() == "Reset").Click());
        var password = dialogs.WaitForElement("[data-testid=new-password]", TimeSpan.FromSeconds(10)).TextContent;
        Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Password reset.");
        await using var check = app.Services.CreateAsyncScope();
        var fresh = check.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var vera = (await fresh.FindByEmailAsync(email))!;
        Assert.NotEqual(stamp, vera.PasswordHash);
        Assert.True(await fresh.CheckPasswordAsync(vera, password));
    }
}
