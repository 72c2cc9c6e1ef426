using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Domain.Alerts;
using Portal.Domain.Audit;
using Portal.Domain.Staff;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 17, "Done when", in a real browser: an alert initiator raises an alarm to a group from the
/// alerts page, watches it on the live alert page, two of the three people confirm by replies the
/// embedded SMSC simulator sends over SMPP (deliver_sm with the alert's code), the page shows them
/// confirmed, and the one who did not confirm makes the alarm escalate to level 2 of the chain
/// after level 1's timeout. Desktop, English.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class AlarmJourneyTests(BrowserFixture browser)
{
    /// <summary>Level 1's timeout: long enough for two replies on a busy machine, short enough for the journey.</summary>
    private const int LevelOneTimeoutSeconds = 10;

    private static readonly (string Name, string Phone)[] DutyTeam =
        [("Anna Ivanova", "+79215550001"), ("Boris Petrov", "+79215550002"), ("Clara Smirnova", "+79215550003")];

    private static readonly (string Name, string Phone) Supervisor = ("Dmitry Orlov", "+79215550004");

    [Fact]
    public async Task Initiator_RaisesAnAlarmToAGroup_SeesRepliesConfirm_AndTheSilentOneEscalates()
    {
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        app.Settings["Alerts:PollInterval"] = "00:00:00.500";
        await app.StartAsync(kestrel: true);

        // The directory as an administrator sets it up, through the same service the pages use:
        // a static group of three, and a chain whose level 1 needs all three within the timeout,
        // level 2 their supervisor.
        var directory = app.Services.GetRequiredService<StaffDirectory>();
        var team = new List<int>();
        foreach (var (name, phone) in DutyTeam)
        {
            team.Add(await directory.SaveEmployeeAsync(null, new EmployeeInput(name, phone, null, "Network", "Engineer", "HQ", null), "admin"));
        }
        var supervisor = await directory.SaveEmployeeAsync(null, new EmployeeInput(Supervisor.Name, Supervisor.Phone, null, "Management", "Head", "HQ", null), "admin");
        var groupId = await directory.SaveGroupAsync("Network duty team", GroupRule.Static, null, team, "admin");
        await directory.SaveChainAsync(null, "Network outage", [
            new LevelInput([], [groupId], LevelOneTimeoutSeconds, RequiredAcks.All),
            new LevelInput([supervisor], [], 600),
        ], "admin");

        var (email, password) = await app.CreateUserAsync(Roles.AlertInitiator);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        // Generous waits: the shared 2-core machine runs several builds at once.
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(app.RootUrl + "/alerts");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(email, password);
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Alerts");

        // 1. Raise: the text, the group, the chain, Raise.
        await Assertions.Expect(page.Locator("[data-testid=alert-kind]")).ToContainTextAsync("Alarm");
        await page.GetByLabel("Text").First.FillAsync("Core router down in DC-A. Join the bridge.");
        await page.Locator("[data-testid=alert-groups]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Network duty team" }).First.ClickAsync();
        await page.CloseOpenListAsync();
        await page.Locator("[data-testid=alert-chain]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Network outage" }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await page.Locator("[data-testid=alert-raise]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/alerts/\\d+$"));
        var alertId = long.Parse(Regex.Match(page.Url, "/alerts/(\\d+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // 2. The live alert page: level 1, nobody confirmed yet, an escalation coming.
        await Assertions.Expect(page.Locator("[data-testid=alert-state]")).ToHaveTextAsync("Open");
        await Assertions.Expect(page.Locator("[data-testid=alert-level]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=alert-acked]")).ToHaveTextAsync("0 / 3");
        await Assertions.Expect(page.Locator("[data-testid=alert-next]")).ToBeVisibleAsync();
        var rows = page.Locator("[data-testid=recipients-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        var code = await CodeAsync(app, alertId);
        await Assertions.Expect(page.Locator("[data-testid=alert-summary]")).ToContainTextAsync($"Code: {code}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "alarm-1-raised-desktop.png"), FullPage = true });

        // 3. Anna and Boris answer with the alert's code: deliver_sm from the simulator.
        var simulator = app.Services.GetRequiredService<EmbeddedSmsc>().Simulator ?? throw new InvalidOperationException("The embedded SMSC simulator is not running.");
        using (var replies = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await simulator.DeliverMoUntilAcknowledgedAsync(DutyTeam[0].Phone, "1234", code, cancellationToken: replies.Token);
            await simulator.DeliverMoUntilAcknowledgedAsync(DutyTeam[1].Phone, "1234", "ok " + code, cancellationToken: replies.Token);
        }
        // The page updates by itself: two confirmed (out of 3, or 4 once level 2 is alerted), Clara still "Not yet".
        await Assertions.Expect(page.Locator("[data-testid=alert-acked]")).ToHaveTextAsync(new Regex("^2 / [34]$"));
        var levelOne = rows.Filter(new() { Has = page.Locator("td:first-child", new() { HasTextString = "1" }) });
        await Assertions.Expect(levelOne.Filter(new() { HasText = "Not yet" })).ToHaveCountAsync(1);
        // An alert initiator does not see personal data: the names are masked.
        await Assertions.Expect(levelOne.Filter(new() { HasText = "Not yet" })).ToContainTextAsync(PersonalDataMask.Name(DutyTeam[2].Name));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "alarm-2-confirmed-desktop.png"), FullPage = true });

        // 4. Level 1 needs all three: at its timeout the alarm escalates to the supervisor (level 2).
        await Assertions.Expect(page.Locator("[data-testid=alert-level]")).ToHaveTextAsync("2", new() { Timeout = (LevelOneTimeoutSeconds + 30) * 1000 });
        await Assertions.Expect(page.Locator("[data-testid=alert-acked]")).ToHaveTextAsync("2 / 4");
        await Assertions.Expect(page.Locator("[data-testid=alert-state]")).ToHaveTextAsync("Open");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        var levelTwo = rows.Filter(new() { Has = page.Locator("td:first-child", new() { HasTextString = "2" }) });
        await Assertions.Expect(levelTwo).ToHaveCountAsync(1);
        await Assertions.Expect(levelTwo).ToContainTextAsync(PersonalDataMask.Name(Supervisor.Name));
        await Assertions.Expect(levelTwo).ToContainTextAsync("Not yet");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "alarm-3-escalated-desktop.png"), FullPage = true });

        // 5. The database agrees: who confirmed, from which reply, and the escalation.
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var alert = await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId);
        Assert.Equal(AlertKind.Alarm, alert.Kind);
        Assert.Equal(AlertState.Open, alert.State);
        Assert.Equal(2, alert.CurrentLevel);
        var recipients = await db.AlertRecipients.AsNoTracking().Where(r => r.AlertId == alertId).ToListAsync();
        Assert.Equal([team[0], team[1]], recipients.Where(r => r.AckedAt != null).Select(r => r.EmployeeId).Order().ToList());
        Assert.All(recipients.Where(r => r.AckedAt != null), r => Assert.NotNull(r.AckInboundId));
        Assert.Equal(team.Order().ToList(), recipients.Where(r => r.Level == 1).Select(r => r.EmployeeId).Order().ToList());
        Assert.Equal([supervisor], recipients.Where(r => r.Level == 2).Select(r => r.EmployeeId).ToList());
        Assert.Equal(2, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.AlertAcknowledged && e.EntityId == alertId.ToString()));
    }

    private static async Task<string> CodeAsync(PortalAppFactory app, long alertId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Alerts.Where(a => a.Id == alertId).Select(a => a.Code).SingleAsync();
    }
}
