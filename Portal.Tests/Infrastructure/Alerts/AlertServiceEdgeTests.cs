using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Alerts;
using Portal.Domain.Clients;
using Portal.Domain.Staff;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>
/// Issue 21: alert paths the pipeline tests do not take: groups by location and by position (each
/// recipient counted in the first group listed that holds them), the placeholder client left active
/// by an older version, two nodes creating the placeholder at once, and an escalation loop that
/// survives a database it cannot read. Real databases and the in-process bus.
/// </summary>
public sealed class AlertServiceEdgeTests
{
    private static readonly DateTime At = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static InProcessMessageBus Bus() => new(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);

    private static AlertService Service(TestDatabase database, ILogger<AlertService>? logger = null) => new(database.Factory, Bus(), TimeProvider.System,
        Options.Create(new AlertsOptions()), Options.Create(new SendingOptions()), logger ?? NullLogger<AlertService>.Instance);

    private static async Task<List<Employee>> SeedAsync(PortalDbContext db)
    {
        var staff = new List<Employee>();
        foreach (var (i, location, position) in new[] { (0, "HQ", "Engineer"), (1, "Plant", "Engineer"), (2, "Plant", "Guard"), (3, "Depot", "Driver") })
        {
            var e = new Employee("Employee " + i, PhoneNumber.Parse($"+7912{i + 1:D7}"), At);
            e.Update("Employee " + i, PhoneNumber.Parse($"+7912{i + 1:D7}"), null, "Ops", position, location, null, true, At);
            staff.Add(e);
        }
        db.Employees.AddRange(staff);
        await db.SaveChangesAsync();
        return staff;
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task LocationAndPositionGroups_ReachTheirPeople_EachCountedInTheFirstGroupListed(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        List<Employee> staff;
        EmployeeGroup plant, engineers;
        await using (var db = database.CreateContext())
        {
            staff = await SeedAsync(db);
            plant = new EmployeeGroup("Plant", GroupRule.Location, "Plant");
            engineers = new EmployeeGroup("Engineers", GroupRule.Position, "Engineer");
            db.EmployeeGroups.AddRange(plant, engineers);
            await db.SaveChangesAsync();
        }

        var raised = await Service(database).RaiseAsync(new AlertRequest(AlertKind.Alarm, "Gas leak", [plant.Id, engineers.Id], [], null), "lead");

        Assert.Equal(3, raised.Recipients);
        await using var read = database.CreateContext();
        var recipients = (await read.AlertRecipients.Where(r => r.AlertId == raised.AlertId).ToListAsync()).ToDictionary(r => r.EmployeeId, r => r.GroupId);
        // The HQ engineer through the position group; the two at the plant through the location group, listed first.
        Assert.Equal(new Dictionary<int, int?> { [staff[0].Id] = engineers.Id, [staff[1].Id] = plant.Id, [staff[2].Id] = plant.Id }, recipients);
        Assert.Equal(3, await read.PriorityMessages.CountAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task APlaceholderClientLeftActive_IsDeactivated_AndUsedForTheAlertsMessages(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        long placeholderId;
        List<Employee> staff;
        await using (var db = database.CreateContext())
        {
            staff = await SeedAsync(db);
            // As an older version created it: active, so a campaign to "everyone" would have dialled it.
            var old = new Client(PhoneNumber.FromTrusted("+000000000017"), "Staff alerts", "(system)", At) { ExternalId = AlertService.StaffClientExternalId };
            db.Clients.Add(old);
            await db.SaveChangesAsync();
            placeholderId = old.Id;
        }

        var raised = await Service(database).RaiseAsync(new AlertRequest(AlertKind.Alarm, "Fire drill", [], [staff[3].Id], null), "lead");

        Assert.Equal(1, raised.Recipients);
        await using var read = database.CreateContext();
        var placeholder = await read.Clients.SingleAsync(c => c.ExternalId == AlertService.StaffClientExternalId);
        Assert.Equal((placeholderId, ClientStatus.Inactive), (placeholder.Id, placeholder.Status));
        Assert.Equal(placeholderId, (await read.Messages.SingleAsync()).ClientId);
    }

    [Fact]
    public async Task TwoNodesCreatingThePlaceholder_TheLoserUsesTheWinners()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        List<Employee> staff;
        await using (var db = database.CreateContext())
        {
            staff = await SeedAsync(db);
        }
        // The other node's placeholder, inserted and not yet committed.
        await using var other = database.CreateContext();
        await using var tx = await other.Database.BeginTransactionAsync();
        var winner = new Client(PhoneNumber.FromTrusted("+000000000017"), "Staff alerts", "(system)", At) { ExternalId = AlertService.StaffClientExternalId };
        winner.Deactivate(At);
        other.Clients.Add(winner);
        await other.SaveChangesAsync();

        var raising = Service(database).RaiseAsync(new AlertRequest(AlertKind.Alarm, "Flood", [], [staff[0].Id], null), "lead");
        await Bi.BiEdgeTests.WaitForLockWaitAsync(database.ConnectionString);
        Assert.False(raising.IsCompleted);
        await tx.CommitAsync();
        var raised = await raising.WaitAsync(TimeSpan.FromSeconds(60));

        await using var read = database.CreateContext();
        Assert.Equal(1, await read.Clients.CountAsync(c => c.ExternalId == AlertService.StaffClientExternalId));
        Assert.Equal(winner.Id, (await read.Messages.SingleAsync()).ClientId);
        Assert.Equal(1, raised.Recipients);
    }

    [Fact]
    public async Task TheEscalationLoop_LogsAFailedPass_AndKeepsPolling()
    {
        await using var empty = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var loop = new AlertEscalationService(Service(empty), Options.Create(new AlertsOptions { PollInterval = TimeSpan.FromMilliseconds(50) }),
            logs.CreateLogger<AlertEscalationService>());

        await loop.StartAsync(default);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (lines.Count(l => l.Contains("Alert escalation pass failed")) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await loop.StopAsync(default);

        Assert.True(lines.Count(l => l.StartsWith("Warning") && l.Contains("Alert escalation pass failed")) >= 2, string.Join("\n", lines));
    }

    private static async Task<(AlertService Service, long AlertId, List<Employee> Staff)> RaiseWithTwoLevelsAsync(TestDatabase database, ILogger<AlertService>? logger = null)
    {
        List<Employee> staff;
        await using (var db = database.CreateContext())
        {
            staff = await SeedAsync(db);
        }
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var chainId = await directory.SaveChainAsync(null, "Two levels", [new LevelInput([staff[0].Id], [], 600), new LevelInput([staff[1].Id], [], 600)], "admin");
        var service = Service(database, logger);
        var raised = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Pump failure", [], [], chainId), "lead");
        // The first level's wait is over.
        await using (var db = database.CreateContext())
        {
            await db.Alerts.Where(a => a.Id == raised.AlertId).ExecuteUpdateAsync(s => s.SetProperty(a => a.NextEscalationAt, DateTime.UtcNow.AddMinutes(-1)));
        }
        return (service, raised.AlertId, staff);
    }

    [Fact]
    public async Task AnEscalationStepThatFails_IsLogged_AndRetriedOnTheNextPass()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var (service, alertId, staff) = await RaiseWithTwoLevelsAsync(database, logs.CreateLogger<AlertService>());
        // The database refuses new recipients for a while (a full disk, a lock timeout).
        await ExecAsync(database, """CREATE TRIGGER no_recipients BEFORE INSERT ON "AlertRecipients" BEGIN SELECT RAISE(ABORT, 'disk full'); END;""");

        Assert.Equal(0, await service.RunDueAsync(default));
        Assert.Contains(lines, l => l.StartsWith("Warning") && l.Contains($"Alert {alertId}: escalation step failed, retried next pass"));
        await using (var read = database.CreateContext())
        {
            var alert = await read.Alerts.SingleAsync();
            Assert.Equal((AlertState.Open, 1), (alert.State, alert.CurrentLevel));
        }

        await ExecAsync(database, "DROP TRIGGER no_recipients;");
        Assert.Equal(1, await service.RunDueAsync(default));
        await using (var read = database.CreateContext())
        {
            Assert.Equal(2, (await read.Alerts.SingleAsync()).CurrentLevel);
            Assert.True(await read.AlertRecipients.AnyAsync(r => r.AlertId == alertId && r.EmployeeId == staff[1].Id && r.Level == 2));
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AnAlertConfirmedButNotYetClosed_IsClosedAtItsDeadline_NotEscalated(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (service, alertId, staff) = await RaiseWithTwoLevelsAsync(database);
        // The confirmation was recorded by a node that stopped before closing the alert.
        await using (var db = database.CreateContext())
        {
            var recipient = await db.AlertRecipients.SingleAsync(r => r.AlertId == alertId);
            recipient.Acknowledge(DateTime.UtcNow.AddMinutes(-2), null);
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await service.RunDueAsync(default));

        await using var read = database.CreateContext();
        var alert = await read.Alerts.SingleAsync();
        Assert.Equal((AlertState.Acknowledged, 1), (alert.State, alert.CurrentLevel));
        Assert.False(await read.AlertRecipients.AnyAsync(r => r.EmployeeId == staff[1].Id));
    }

    private static async Task ExecAsync(TestDatabase database, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
