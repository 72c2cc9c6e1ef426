using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sync;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>Issue 20, item 15: the overlap margin is shown and saved by the sync editor.</summary>
public class SyncSourceEditorTests
{
    [Fact]
    public async Task Editor_ShowsTheOverlapWithItsHelp_AndSavesAChange()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            PostgresSyncTests.ClientsDraft("Host=127.0.0.1;Port=1;Database=crm;Username=u;Password=p") with { OverlapMinutes = 12 }, default);
        var row = (await sync.Catalog.ListAsync(default)).Single();

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(sync.Catalog);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var provider = ctx.Render<MudDialogProvider>();
        var dialogs = ctx.Services.GetRequiredService<IDialogService>();

        await provider.InvokeAsync(() => dialogs.ShowAsync<SyncSourceEditorDialog>("Edit",
            new DialogParameters<SyncSourceEditorDialog> { { d => d.Source, row } }));

        // MudBlazor puts the attribute on the input or on its wrapper, depending on the component.
        var overlap = provider.WaitForElement("[data-testid=sync-overlap] input, input[data-testid=sync-overlap]", TimeSpan.FromSeconds(10));
        Assert.Equal("12", overlap.GetAttribute("value"));
        Assert.Contains("committed late with an older timestamp", provider.Markup);
        overlap.Change("30");
        provider.Find("[data-testid=sync-save]").Click();

        provider.WaitForAssertion(() =>
        {
            using var db = sync.Portal.CreateContext();
            Assert.Equal(30, db.SyncSources.AsNoTracking().Single(s => s.Id == id).OverlapMinutes);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Editor_MapsAClientColumnToACustomAttribute_AndSavesIt()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = sync.Portal.CreateContext())
        {
            db.AttributeDefinitions.Add(new Portal.Domain.Clients.AttributeDefinition("contract_no", Portal.Domain.Clients.AttributeType.Number, "Contract number"));
            await db.SaveChangesAsync();
        }
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            PostgresSyncTests.ClientsDraft("Host=127.0.0.1;Port=1;Database=crm;Username=u;Password=p"), default);
        var row = (await sync.Catalog.ListAsync(default)).Single();

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(sync.Catalog);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var provider = ctx.Render<MudDialogProvider>();
        var dialogs = ctx.Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<SyncSourceEditorDialog>("Edit",
            new DialogParameters<SyncSourceEditorDialog> { { d => d.Source, row } }));
        provider.WaitForElement("[data-testid=sync-save]", TimeSpan.FromSeconds(10));

        await provider.InvokeAsync(() => provider.FindAll("button").First(b => b.TextContent.Contains("Add column")).Click());
        var editor = provider.FindComponent<SyncSourceEditorDialog>();
        await provider.InvokeAsync(() => editor.FindComponents<MudTextField<string>>()[^1].Instance.ValueChanged.InvokeAsync("contract"));
        await provider.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[^1].Instance.ValueChanged.InvokeAsync("attr:contract_no"));
        provider.Find("[data-testid=sync-save]").Click();

        provider.WaitForAssertion(() =>
        {
            using var db = sync.Portal.CreateContext();
            Assert.Contains("\"contract\":\"attr:contract_no\"", db.SyncSources.AsNoTracking().Single(s => s.Id == id).MappingJson);
        }, TimeSpan.FromSeconds(10));
    }
}
