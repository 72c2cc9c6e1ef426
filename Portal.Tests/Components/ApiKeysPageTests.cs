using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Api;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public class ApiKeysPageTests
{
    private sealed class Contexts(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    [Fact]
    public async Task Page_ListsKeysWithPrefixAndScopes_NeverTheSecret()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var contexts = new Contexts(database);
        var keys = new ApiKeyService(contexts, new AuditLog(contexts, TimeProvider.System), TimeProvider.System);
        var (active, fullKey) = await keys.CreateAsync(ApiTestHost.Admin, "CRM production", [ApiScopes.ClientsWrite, ApiScopes.EventsWrite], 600, CancellationToken.None);
        var (revoked, _) = await keys.CreateAsync(ApiTestHost.Admin, "Old shop", [ApiScopes.EventsWrite], 60, CancellationToken.None);
        await keys.RevokeAsync(ApiTestHost.Admin, revoked.Id, CancellationToken.None);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(keys);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);

        var page = ctx.Render<ApiKeys>();

        page.WaitForAssertion(() => Assert.Contains("CRM production", page.Markup));
        Assert.Contains($"pk_{active.Prefix}_", page.Markup);
        Assert.Contains(ApiScopes.EventsWrite, page.Markup);
        Assert.DoesNotContain(fullKey.Split('_')[2], page.Markup);
        Assert.Single(page.FindAll($"[data-testid=revoke-{active.Prefix}]"));
        Assert.Empty(page.FindAll($"[data-testid=revoke-{revoked.Prefix}]"));
        Assert.Contains("Revoked", page.Markup);
    }

    [Fact]
    public async Task Page_CreatesAKeyThroughTheEditor_ShowsItOnce_AndRevokesIt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var contexts = new Contexts(database);
        var keys = new ApiKeyService(contexts, new AuditLog(contexts, TimeProvider.System), TimeProvider.System);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(keys);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<ApiKeys>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=create-api-key]")));

        await page.InvokeAsync(() => page.Find("[data-testid=create-api-key]").Click());
        dialogs.WaitForElement("[data-testid=api-key-save]", TimeSpan.FromSeconds(10));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-testid=api-key-save]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Give the key a name.", dialogs.Markup));
        var editor = dialogs.FindComponent<ApiKeyEditorDialog>();
        await dialogs.InvokeAsync(() => editor.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync("Shop events"));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-testid=api-key-save]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Choose at least one scope.", dialogs.Markup));
        await dialogs.InvokeAsync(() => editor.FindComponent<MudSelect<string>>().Instance.SelectedValuesChanged.InvokeAsync([ApiScopes.EventsWrite]));
        await dialogs.InvokeAsync(() => dialogs.Find("[data-testid=api-key-save]").Click());

        var shown = dialogs.WaitForElement("[data-testid=new-api-key]", TimeSpan.FromSeconds(10)).TextContent;
        var row = Assert.Single(await keys.ListAsync(CancellationToken.None));
        Assert.Equal("Shop events", row.Name);
        Assert.StartsWith($"pk_{row.Prefix}_", shown, StringComparison.Ordinal);
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").First(b => b.TextContent.Contains("Done")).Click());
        page.WaitForAssertion(() => Assert.Contains("Shop events", page.Markup), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find($"[data-testid=revoke-{row.Prefix}]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("stops working at once", dialogs.Markup), TimeSpan.FromSeconds(10));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Last(b => b.TextContent.Trim() == "Revoke").Click());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=revoke-{row.Prefix}]")), TimeSpan.FromSeconds(10));
        await using var db = database.CreateContext();
        Assert.NotNull(db.ApiKeys.Single().RevokedAt);
    }
}
