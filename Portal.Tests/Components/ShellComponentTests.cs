using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Layout;
using Portal.Components.Pages;
using Portal.Identity;

namespace Portal.Tests.Components;

public class ShellComponentTests
{
    private static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        return ctx;
    }

    [Fact]
    public async Task NavMenu_ShowsAdministrationOnlyToAdministrators()
    {
        await using var ctx = NewContext();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("analyst@portal.local");
        var analystMenu = ctx.Render<NavMenu>();
        Assert.Contains("Overview", analystMenu.Markup);
        Assert.DoesNotContain("admin/users", analystMenu.Markup);
        Assert.DoesNotContain("Audit log", analystMenu.Markup);

        auth.SetPolicies(Policies.Administration, Policies.AuditTrail);
        var adminMenu = ctx.Render<NavMenu>();
        Assert.Contains("admin/users", adminMenu.Markup);
        Assert.Contains("Audit log", adminMenu.Markup);
    }

    [Fact]
    public async Task StatCard_FormatsTheNumberForTheReader()
    {
        await using var ctx = NewContext();
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("en");
        var card = ctx.Render<StatCard>(p => p
            .Add(c => c.Label, "Clients")
            .Add(c => c.Value, 1_900_000)
            .Add(c => c.TestId, "stat"));
        Assert.Equal("1,900,000", card.Find("[data-testid=stat]").TextContent);
        Assert.Contains("Clients", card.Markup);
    }
}
