using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Alerts;
using Portal.Domain.Audit;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Alerts;
using Portal.Tests.Support;
using AlertDetailPage = Portal.Components.Pages.Alerts.AlertDetail;
using AlertsPage = Portal.Components.Pages.Alerts.Alerts;
using MudBlazor;

namespace Portal.Tests.Components;

/// <summary>Issue 17: the live alert page masks recipients for roles without personal data and audits unmasked reads.</summary>
public sealed class AlertPagesTests
{
    private sealed class NoBus : IMessageBus
    {
        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();
        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(Roles.Manager, false)]
    [InlineData(Roles.Administrator, true)]
    public async Task LiveAlertPage_ShowsLevelAndConfirmations_MaskedByRole(string role, bool unmasked)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var service = new AlertService(database.Factory, new NoBus(), TimeProvider.System, Options.Create(new AlertsOptions()),
            Options.Create(new SendingOptions()), NullLogger<AlertService>.Instance);
        List<Portal.Domain.Staff.Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 2);
        var raised = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Server room flooded", [], staff.Select(s => s.Id).ToList(), null), "lead");
        await using (var db = database.CreateContext())
        {
            await AlertService.AcknowledgeAsync(db, staff[0].Phone, "1", DateTime.UtcNow, null, default);
        }

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(service);
        ctx.Services.AddSingleton(new AlertQueries(database.Factory, TimeProvider.System));
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.AddAuthorization().SetAuthorized("someone@example.com").SetRoles(role);
        var page = ctx.Render<AlertDetailPage>(p => p.Add(x => x.Id, raised.AlertId));

        page.WaitForAssertion(() => Assert.Contains("1 / 2", page.Find("[data-testid=alert-acked]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("1", page.Find("[data-testid=alert-level]").TextContent);
        var table = page.Find("[data-testid=recipients-table]").TextContent;
        Assert.Equal(unmasked, table.Contains(staff[1].Phone, StringComparison.Ordinal));
        Assert.Equal(unmasked, table.Contains("Employee 1", StringComparison.Ordinal));
        await using var check = database.CreateContext();
        Assert.Equal(unmasked, check.AuditEntries.Any(e => e.Action == AuditActions.PersonalDataRead && e.EntityType == nameof(Alert)));
    }

    /// <summary>Issue 17, item 3: the raise form asks for one, all or N confirmations per group when no chain carries its own.</summary>
    [Fact]
    public async Task RaiseForm_OffersNPerGroup_AndTheAlertIsRaisedWithIt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var service = new AlertService(database.Factory, new NoBus(), TimeProvider.System, Options.Create(new AlertsOptions()),
            Options.Create(new SendingOptions()), NullLogger<AlertService>.Instance);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        List<Portal.Domain.Staff.Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 4, department: "NOC");
        var group = await directory.SaveGroupAsync("NOC duty", Portal.Domain.Staff.GroupRule.Department, "NOC", [], "admin");

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(service);
        ctx.Services.AddSingleton(directory);
        ctx.Services.AddSingleton(new AlertQueries(database.Factory, TimeProvider.System));
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.AddAuthorization().SetAuthorized("initiator@example.com").SetRoles(Roles.AlertInitiator).SetPolicies(Portal.Identity.Policies.AlertsRaise);
        var page = ctx.Render<AlertsPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=alert-required]")));
        Assert.Empty(page.FindAll("[data-testid=alert-required-count]"));
        var text = page.FindComponents<MudTextField<string>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "alert-text"));
        await page.InvokeAsync(() => text.Instance.ValueChanged.InvokeAsync("Core router down"));
        var groups = page.FindComponents<MudSelect<int>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "alert-groups"));
        await page.InvokeAsync(() => groups.Instance.SelectedValuesChanged.InvokeAsync([group]));
        var required = page.FindComponent<MudSelect<RequiredAcks>>();
        await page.InvokeAsync(() => required.Instance.ValueChanged.InvokeAsync(RequiredAcks.Count));
        var count = page.FindComponents<MudNumericField<int>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "alert-required-count"));
        await page.InvokeAsync(() => count.Instance.ValueChanged.InvokeAsync(3));
        page.Find("button[data-testid=alert-raise]").Click();

        // The click's handler finishes its database write after Click returns (the raise is async): wait for the row.
        await using var check = database.CreateContext();
        Alert? alert = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); alert is null && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            alert = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleOrDefaultAsync(
                Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(check.Alerts));
        }
        Assert.NotNull(alert);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=alert-error]")));
        Assert.Equal((RequiredAcks.Count, 3, 4), (alert.Required, alert.RequiredCount, check.AlertRecipients.Count(r => r.AlertId == alert.Id)));
        Assert.Empty(page.FindAll("[data-testid=alert-error]"));
    }
}
