using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sync;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public class SyncSourcesPageTests
{
    [Fact]
    public async Task Page_ListsSourcesAndRunHistory_NeverTheConnectionString()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        const string password = "Page-Secret-Pass";
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            PostgresSyncTests.ClientsDraft($"Host=127.0.0.1;Port=1;Database=crm;Username=u;Password={password};Timeout=2"), default);
        var failed = await sync.Runner.RunAsync(id, default); // nothing listens on port 1: a failed run for the history

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(sync.Catalog);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);

        var page = ctx.Render<SyncSources>();

        page.WaitForAssertion(() => Assert.Contains("127.0.0.1:1/crm", page.Markup));
        Assert.Contains("CRM", page.Markup);
        Assert.Contains("0 0 3 * * ?", page.Markup);
        Assert.DoesNotContain(password, page.Markup);
        Assert.Single(page.FindAll($"[data-testid=run-{id}]"));
        var history = page.Find("[data-testid=sync-runs]");
        Assert.Contains("Could not reach the source database", history.InnerHtml);
        Assert.Contains("Failed", page.Markup);
        Assert.False(failed!.Succeeded);
    }
}
