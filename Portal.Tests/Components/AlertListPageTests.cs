using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Alerts;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Alerts;
using Portal.Tests.Support;
using AlertDetailPage = Portal.Components.Pages.Alerts.AlertDetail;
using AlertsPage = Portal.Components.Pages.Alerts.Alerts;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 17 (covered for issue 21): the alert list refreshes by itself and shows confirmations, the
/// raise form explains what is missing or refused, and the alert page closes an open alert.
/// </summary>
public sealed class AlertListPageTests : IAsyncLifetime
{
    private sealed class NoBus : IMessageBus
    {
        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();
        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private AlertService _service = default!;
    private StaffDirectory _directory = default!;
    private List<Portal.Domain.Staff.Employee> _staff = default!;
    private int _group;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _service = new AlertService(_database.Factory, new NoBus(), TimeProvider.System, Options.Create(new AlertsOptions()),
            Options.Create(new SendingOptions()), NullLogger<AlertService>.Instance);
        _directory = new StaffDirectory(_database.Factory, TimeProvider.System);
        await using (var db = _database.CreateContext()) _staff = await AlertTests.SeedStaffAsync(db, 2, department: "NOC");
        _group = await _directory.SaveGroupAsync("NOC duty", Portal.Domain.Staff.GroupRule.Department, "NOC", [], "admin");
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(_service);
        _ctx.Services.AddSingleton(_directory);
        _ctx.Services.AddSingleton(new AlertQueries(_database.Factory, TimeProvider.System));
        _ctx.Services.AddSingleton(TimeProvider.System);
        _ctx.AddAuthorization().SetAuthorized("initiator@example.com").SetRoles(Roles.AlertInitiator).SetPolicies(Portal.Identity.Policies.AlertsRaise);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task List_ShowsConfirmations_AndANewAlertAppearsWithoutAReload()
    {
        var longText = "Core router down in the north data centre, traffic is failing over to the south one now";
        var first = await _service.RaiseAsync(new AlertRequest(AlertKind.Informational, longText, [_group], [], null), "lead");
        await using (var db = _database.CreateContext())
        {
            await AlertService.AcknowledgeAsync(db, _staff[0].Phone, (await db.Alerts.SingleAsync()).Code, DateTime.UtcNow, null, default);
        }

        var page = _ctx.Render<AlertsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=alerts-table] tbody tr")), TimeSpan.FromSeconds(10));
        var cells = page.FindAll("[data-testid=alerts-table] tbody tr td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(longText[..60] + "…", cells[2]);
        Assert.Equal("Informational", cells[1]);
        Assert.Equal("1 / 2", cells[4]);
        Assert.Matches(@"^\d\d:\d\d:\d\d$", cells[5]);
        Assert.Matches(@"^\d\d:\d\d:\d\d$", cells[6]);
        Assert.Equal($"alerts/{first.AlertId}", page.Find("[data-testid=alerts-table] tbody tr a").GetAttribute("href"));

        // Raised elsewhere (the API, another initiator): the list shows it within its 2 s refresh.
        await _service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Fire drill", [_group], [], null), "lead");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=alerts-table] tbody tr").Count), TimeSpan.FromSeconds(10));
        var fresh = page.FindAll("[data-testid=alerts-table] tbody tr").Single(r => r.TextContent.Contains("Fire drill")).QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(("Alarm", "0 / 2", "—", "—"), (fresh[1], fresh[4], fresh[5], fresh[6]));
    }

    [Fact]
    public async Task RaiseForm_SaysWhatIsMissing_AndWhyTheServiceRefused()
    {
        var empty = await _directory.SaveGroupAsync("Nobody", Portal.Domain.Staff.GroupRule.Department, "No such department", [], "admin");
        var page = _ctx.Render<AlertsPage>();
        page.WaitForAssertion(() => page.Find("button[data-testid=alert-raise]"));
        Assert.Contains("No alerts yet.", page.Find("[data-testid=alerts-table]").TextContent);

        page.Find("button[data-testid=alert-raise]").Click();
        page.WaitForAssertion(() => Assert.Equal("Write the alert's text.", page.Find("[data-testid=alert-error]").TextContent.Trim()));

        var text = page.FindComponents<MudTextField<string>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "alert-text"));
        await page.InvokeAsync(() => text.Instance.ValueChanged.InvokeAsync("Server room flooded"));
        page.Find("button[data-testid=alert-raise]").Click();
        page.WaitForAssertion(() => Assert.Equal("Choose groups or an escalation chain.", page.Find("[data-testid=alert-error]").TextContent.Trim()));

        var groups = page.FindComponents<MudSelect<int>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "alert-groups"));
        await page.InvokeAsync(() => groups.Instance.SelectedValuesChanged.InvokeAsync([empty]));
        page.Find("button[data-testid=alert-raise]").Click();
        page.WaitForAssertion(() => Assert.Equal("Nobody active is in the chosen groups.", page.Find("[data-testid=alert-error]").TextContent.Trim()));
        Assert.False(page.Find("button[data-testid=alert-raise]").HasAttribute("disabled"));
        await using var check = _database.CreateContext();
        Assert.Equal(0, await check.Alerts.CountAsync());
    }

    [Fact]
    public async Task RaiseForm_PicksKindAndConfirmationsFromItsLists_AndOpensTheRaisedAlert()
    {
        var host = _ctx.Render<PopoverHost>(p => p.AddChildContent<AlertsPage>());
        var page = host.FindComponent<AlertsPage>();
        page.WaitForAssertion(() => page.Find("button[data-testid=alert-raise]"));

        await PickAsync(host, "alert-kind", "Informational");
        Assert.Empty(page.FindAll("[data-testid=alert-flash]"));
        await PickAsync(host, "alert-required", "All");
        await PickAsync(host, "alert-groups", "NOC duty");
        var text = page.FindComponents<MudTextField<string>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "alert-text"));
        await page.InvokeAsync(() => text.Instance.ValueChanged.InvokeAsync("Office closed tomorrow"));
        page.Find("button[data-testid=alert-raise]").Click();

        // The raise finishes after Click returns; the page opens the alert once it is stored.
        var navigation = _ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        page.WaitForAssertion(() => Assert.Matches(@"alerts/\d+$", navigation.Uri), TimeSpan.FromSeconds(15));
        await using var check = _database.CreateContext();
        var alert = await check.Alerts.SingleAsync();
        Assert.Equal((AlertKind.Informational, RequiredAcks.All, "Office closed tomorrow"), (alert.Kind, alert.Required, alert.Text));
        Assert.EndsWith($"alerts/{alert.Id}", navigation.Uri);
    }

    [Fact]
    public async Task AlertPage_ClosesAnOpenAlert_AndSaysWhenThereIsNoSuchAlert()
    {
        var raised = await _service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Server room flooded", [_group], [], null), "lead");
        var page = _ctx.Render<AlertDetailPage>(p => p.Add(x => x.Id, raised.AlertId));
        page.WaitForAssertion(() => Assert.Equal("Open", page.Find("[data-testid=alert-state]").TextContent), TimeSpan.FromSeconds(10));

        page.Find("button[data-testid=alert-close]").Click();

        page.WaitForAssertion(() => Assert.Equal("Closed", page.Find("[data-testid=alert-state]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=alert-close]"));
        await using (var check = _database.CreateContext())
        {
            Assert.Equal(AlertState.Closed, (await check.Alerts.SingleAsync()).State);
        }

        var missing = _ctx.Render<AlertDetailPage>(p => p.Add(x => x.Id, raised.AlertId + 100));
        missing.WaitForAssertion(() => Assert.Contains("Not found.", missing.Markup));
        Assert.Empty(missing.FindAll("[data-testid=alert-summary]"));
    }

    [Fact]
    public async Task AlertPage_CountsDownToTheNextLevel_AndShowsAConfirmationWithoutAReload()
    {
        var chain = await _directory.SaveChainAsync(null, "Night", [new LevelInput([_staff[0].Id], [], 600), new LevelInput([_staff[1].Id], [], 600)], "admin");
        var raised = await _service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Generator on fire", [], [], chain), "lead");
        var page = _ctx.Render<AlertDetailPage>(p => p.Add(x => x.Id, raised.AlertId));
        page.WaitForAssertion(() => Assert.Equal("0 / 1", page.Find("[data-testid=alert-acked]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Matches(@"^(09|10):\d\d$", page.Find("[data-testid=alert-next]").TextContent);

        await using (var db = _database.CreateContext())
        {
            await AlertService.AcknowledgeAsync(db, _staff[0].Phone, (await db.Alerts.SingleAsync()).Code, DateTime.UtcNow, null, default);
        }
        // The page re-reads every second: the confirmation shows without a reload.
        page.WaitForAssertion(() => Assert.Equal("1 / 1", page.Find("[data-testid=alert-acked]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ChainEditor_PicksPeopleGroupsAndRostersFromItsLists_AndSavesNConfirmationsPerGroup()
    {
        var roster = await _directory.SaveRosterAsync(null, new RosterInput("Weekend", "Europe/Moscow", 540, 7, DateOnly.FromDateTime(DateTime.Today), [_staff[1].Id]), "admin");
        var host = _ctx.Render<PopoverHost>(p => p.AddChildContent<Portal.Components.Pages.Alerts.EscalationChains>());
        var page = host.FindComponent<Portal.Components.Pages.Alerts.EscalationChains>();
        page.WaitForAssertion(() => page.Find("[data-testid=level-1]"));
        var name = page.FindComponents<MudTextField<string>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "chain-name"));
        await page.InvokeAsync(() => name.Instance.ValueChanged.InvokeAsync("Weekend chain"));

        // An alert initiator sees names masked in the picker too.
        await PickAsync(host, "level-1-people", PersonalDataMask.Name("Employee 0") + " · Engineer");
        await PickAsync(host, "level-1-groups", "NOC duty");
        await PickAsync(host, "level-1-rosters", "Weekend");
        Assert.Empty(page.FindAll("[data-testid=level-1-count]"));
        await PickAsync(host, "level-1-required", "N per group");
        var count = page.FindComponents<MudNumericField<int>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "level-1-count"));
        await page.InvokeAsync(() => count.Instance.ValueChanged.InvokeAsync(2));
        page.Find("[data-testid=chain-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("Saved", page.Find("[data-testid=chain-message]").TextContent), TimeSpan.FromSeconds(10));
        var id = Assert.Single(await _directory.ChainsAsync()).Id;
        var level = Assert.Single((await _directory.ChainAsync(id))!.Levels);
        Assert.Equal((RequiredAcks.Count, 2), (level.Required, level.RequiredCount));
        Assert.Equal([_staff[0].Id], level.People);
        Assert.Equal([_group], level.Groups);
        Assert.Equal([roster], level.Rosters);
    }

    /// <summary>Opens a select by its test id and clicks the item with this text in the popover.</summary>
    internal static async Task PickAsync(IRenderedComponent<PopoverHost> host, string testId, string item)
    {
        var select = host.FindComponents<MudComponentBase>()
            .Single(c => c.Instance.GetType().Name.StartsWith("MudSelect", StringComparison.Ordinal) && Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId));
        await host.InvokeAsync(() => (Task)select.Instance.GetType().GetMethod("OpenMenu")!.Invoke(select.Instance, null)!);
        host.WaitForAssertion(() => Assert.Contains(host.FindAll(".mud-popover-open .mud-list-item"), i => i.TextContent.Trim() == item));
        var option = host.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == item);
        await host.InvokeAsync(() => option.Click());
    }
}
