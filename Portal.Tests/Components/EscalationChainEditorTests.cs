using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Alerts;
using Portal.Tests.Infrastructure.Alerts;
using Portal.Tests.Support;
using ChainsPage = Portal.Components.Pages.Alerts.EscalationChains;

namespace Portal.Tests.Components;

/// <summary>Issue 17: the escalation chain editor opens a saved chain, edits a level's repeats and rule, adds a level and saves.</summary>
public sealed class EscalationChainEditorTests
{
    [Fact]
    public async Task Editor_ChangesRepeatsAndRule_AddsALevel_AndSaves()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        List<Portal.Domain.Staff.Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 2);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var id = await directory.SaveChainAsync(null, "Night", [new LevelInput([staff[0].Id], [], 300)], "admin");

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(directory);
        ctx.AddAuthorization().SetAuthorized("admin@example.com").SetRoles(Roles.Administrator);
        var page = ctx.Render<ChainsPage>();

        page.WaitForAssertion(() => page.Find($"[data-testid=chain-{id}]"), TimeSpan.FromSeconds(10));
        page.Find($"[data-testid=chain-{id}]").Click();
        page.WaitForAssertion(() => Assert.Equal("Night", page.Find("[data-testid=chain-name] input, input[data-testid=chain-name]").GetAttribute("value")), TimeSpan.FromSeconds(10));
        Input(page, "level-1-repeats").Change("2");
        page.WaitForAssertion(() => Input(page, "level-1-interval"), TimeSpan.FromSeconds(5));
        Input(page, "level-1-interval").Change("3");
        Input(page, "level-1-timeout").Change("10");
        page.Find("[data-testid=level-add]").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=level-2]"), TimeSpan.FromSeconds(5));
        // A level without people or groups is refused whole, with the reason shown.
        page.Find("[data-testid=chain-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("at least one person", page.Find("[data-testid=chain-message]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Single((await directory.ChainAsync(id))!.Levels);
        page.Find("[data-testid=level-2-remove]").Click();
        page.Find("[data-testid=chain-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("Saved", page.Find("[data-testid=chain-message]").TextContent), TimeSpan.FromSeconds(10));

        var saved = Assert.Single((await directory.ChainAsync(id))!.Levels);
        Assert.Equal((2, 180, 600, RequiredAcks.One), (saved.Repeats, saved.RepeatIntervalSeconds, saved.TimeoutSeconds, saved.Required));
        Assert.Equal([staff[0].Id], saved.People);
        await using var check = database.CreateContext();
        Assert.Equal(1, await check.EscalationChains.CountAsync());
    }

    /// <summary>Delete asks first; a chain an open alert escalates along is refused with the reason; another is deleted and leaves the list.</summary>
    [Fact]
    public async Task Delete_AsksFirst_RefusedWhileAnAlertIsOpen_ElseDeleted()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        List<Portal.Domain.Staff.Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 1);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var busy = await directory.SaveChainAsync(null, "Busy", [new LevelInput([staff[0].Id], [], 300)], "admin");
        var idle = await directory.SaveChainAsync(null, "Idle", [new LevelInput([staff[0].Id], [], 300)], "admin");
        await using (var db = database.CreateContext())
        {
            db.Alerts.Add(new Alert(AlertKind.Alarm, "Open on Busy", "4821", RequiredAcks.One, 1, busy, "", "lead", DateTime.UtcNow));
            await db.SaveChangesAsync();
        }

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(directory);
        ctx.AddAuthorization().SetAuthorized("admin@example.com").SetRoles(Roles.Administrator);
        var dialogs = ctx.Render<MudBlazor.MudDialogProvider>();
        var page = ctx.Render<ChainsPage>();
        page.WaitForAssertion(() => page.Find($"[data-testid=chain-{busy}]"), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=chain-delete]")); // nothing chosen: nothing to delete

        async Task DeleteAsync(int id, bool confirm)
        {
            await page.InvokeAsync(() => page.Find($"[data-testid=chain-{id}]").Click());
            page.WaitForAssertion(() => page.Find("[data-testid=chain-delete]"), TimeSpan.FromSeconds(10));
            var click = page.InvokeAsync(() => page.Find("[data-testid=chain-delete]").Click());
            dialogs.WaitForAssertion(() => Assert.Contains("Alerts already closed keep their history", dialogs.Markup), TimeSpan.FromSeconds(10));
            var button = dialogs.FindAll("button").Single(b => b.TextContent.Trim() == (confirm ? "Delete" : "Cancel"));
            await dialogs.InvokeAsync(() => button.Click());
            await click;
        }

        await DeleteAsync(idle, confirm: false);
        Assert.NotNull(await directory.ChainAsync(idle));

        await DeleteAsync(busy, confirm: true);
        page.WaitForAssertion(() => Assert.Contains("Open alerts escalate along this chain (1): close them first.", page.Find("[data-testid=chain-message]").TextContent),
            TimeSpan.FromSeconds(10));
        Assert.NotNull(await directory.ChainAsync(busy));

        await DeleteAsync(idle, confirm: true);
        page.WaitForAssertion(() => Assert.Contains("Chain deleted.", page.Find("[data-testid=chain-message]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll($"[data-testid=chain-{idle}]"));
        Assert.Null(await directory.ChainAsync(idle));
        Assert.Empty(page.FindAll("[data-testid=chain-delete]")); // back to a new chain
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<ChainsPage> page, string testId) =>
        page.Find($"[data-testid={testId}] input, input[data-testid={testId}]");
}
