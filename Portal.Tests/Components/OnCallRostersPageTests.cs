using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Alerts;
using Portal.Tests.Support;
using RostersPage = Portal.Components.Pages.Alerts.OnCallRosters;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 17 (covered for issue 21): the on-call roster page creates a roster from people picked in
/// turn order, shows who is on duty, refuses a bad hand-over time or a taken name, and edits a roster.
/// </summary>
public sealed class OnCallRostersPageTests
{
    [Fact]
    public async Task Roster_IsCreatedFromPickedPeople_RefusedWhenBad_AndEdited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        List<Portal.Domain.Staff.Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 2);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(directory);
        ctx.AddAuthorization().SetAuthorized("admin@example.com").SetRoles(Roles.Administrator);
        var host = ctx.Render<PopoverHost>(p => p.AddChildContent<RostersPage>());
        var page = host.FindComponent<RostersPage>();
        page.WaitForAssertion(() => Assert.Contains("No rosters yet.", page.Find("[data-testid=roster-table]").TextContent));

        await SetAsync(page, "roster-name", "Night shift");
        await SetAsync(page, "roster-handover", "9h");
        await AlertListPageTests.PickAsync(host, "roster-members", "Employee 1 · Engineer");
        await AlertListPageTests.PickAsync(host, "roster-members", "Employee 0 · Engineer");
        page.Find("button[data-testid=roster-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("Write the hand-over time as HH:mm.", page.Find("[data-testid=roster-message]").TextContent.Trim()));
        await using (var check = database.CreateContext()) Assert.Equal(0, await check.OnCallRosters.CountAsync());

        await SetAsync(page, "roster-handover", "20:30");
        await page.InvokeAsync(() => page.FindComponent<MudDatePicker>().Instance.DateChanged.InvokeAsync(DateTime.Today.AddDays(-1)));
        page.Find("button[data-testid=roster-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("Saved.", page.Find("[data-testid=roster-message]").TextContent.Trim()));
        var id = Assert.Single(await directory.RostersAsync()).Id;
        var saved = (await directory.RostersAsync()).Single().Roster;
        Assert.Equal(("Night shift", 20 * 60 + 30, 7), (saved.Name, saved.HandoverMinute, saved.ShiftDays));
        Assert.Equal(staff.Select(s => s.Id).Order(), saved.Members.Order());
        var onDuty = page.Find($"[data-testid=roster-{id}-duty]").TextContent;
        Assert.Contains("Employee", onDuty);
        Assert.Contains("Night shift", page.Find("[data-testid=roster-table]").TextContent);

        // A new roster starts empty; without members, then with a taken name, it is refused with the reason.
        page.FindAll("button").Single(b => b.TextContent.Trim() == "New roster").Click();
        Assert.Contains("New roster", page.Find("[data-testid=roster-editor] h6").TextContent);
        Assert.Empty(page.FindAll("[data-testid=roster-message]"));
        await SetAsync(page, "roster-name", "Night shift");
        page.Find("button[data-testid=roster-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("A roster has 1 to 100 members.", page.Find("[data-testid=roster-message]").TextContent.Trim()));
        await AlertListPageTests.PickAsync(host, "roster-members", "Employee 0 · Engineer");
        page.Find("button[data-testid=roster-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("A roster with this name exists.", page.Find("[data-testid=roster-message]").TextContent.Trim()));
        Assert.Single(await directory.RostersAsync());

        // Opened from the list: its values fill the form; a changed shift length is saved to the same roster.
        page.Find("[data-testid=roster-table] tbody tr a").Click();
        Assert.Contains("Edit roster", page.Find("[data-testid=roster-editor] h6").TextContent);
        Assert.Equal("20:30", Field<MudTextField<string>>(page, "roster-handover").Instance.GetState(x => x.Value));
        Assert.Equal("Night shift", Field<MudTextField<string>>(page, "roster-name").Instance.GetState(x => x.Value));
        Assert.Equal(DateTime.Today.AddDays(-1), page.FindComponent<MudDatePicker>().Instance.Date);
        await page.InvokeAsync(() => Field<MudNumericField<int>>(page, "roster-days").Instance.ValueChanged.InvokeAsync(3));
        page.Find("button[data-testid=roster-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("Saved.", page.Find("[data-testid=roster-message]").TextContent.Trim()));
        var edited = Assert.Single(await directory.RostersAsync());
        Assert.Equal((id, 3, 2), (edited.Id, edited.Roster.ShiftDays, edited.Roster.Members.Count));
    }

    private static Task SetAsync(IRenderedComponent<RostersPage> page, string testId, string value) =>
        page.InvokeAsync(() => Field<MudTextField<string>>(page, testId).Instance.ValueChanged.InvokeAsync(value));

    private static IRenderedComponent<T> Field<T>(IRenderedComponent<RostersPage> page, string testId) where T : MudComponentBase =>
        page.FindComponents<T>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId));
}
