using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Domain.Integrations;
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

    [Fact]
    public async Task RejectedCount_UnfoldsTheRunsRejectedRows_RowColumnAndReason()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft("Host=127.0.0.1;Port=1;Database=crm;Username=u;Password=p"), default);
        long runId;
        await using (var db = sync.Portal.CreateContext())
        {
            var run = new SyncRun(id, DateTime.UtcNow);
            run.Finish(5, 3, 2, null, DateTime.UtcNow,
                [new SyncRowError(2, "msisdn", "The phone number is empty."), new SyncRowError(4, null, "Element 4 is not a JSON object.")]);
            db.SyncRuns.Add(run);
            await db.SaveChangesAsync();
            runId = run.Id;
        }

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(sync.Catalog);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var page = ctx.Render<SyncSources>();
        page.WaitForElement($"[data-testid=run-errors-{runId}]");
        Assert.Empty(page.FindAll($"[data-testid=run-row-errors-{runId}]"));

        page.Find($"[data-testid=run-errors-{runId}]").Click();

        var list = page.WaitForElement($"[data-testid=run-row-errors-{runId}]").TextContent;
        Assert.Contains("Row 2", list);
        Assert.Contains("msisdn", list);
        Assert.Contains("The phone number is empty.", list);
        Assert.Contains("Row 4", list);
        Assert.Contains("Element 4 is not a JSON object.", list);
    }
}
