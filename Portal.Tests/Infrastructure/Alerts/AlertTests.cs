using Microsoft.EntityFrameworkCore;
using Portal.Domain.Alerts;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Staff;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>
/// Issue 17: employee alerts through the real pipeline (both databases, each over the in-process
/// bus and over RabbitMQ), the ONE priority lane of ADR 0010 and the SMSC simulator over SMPP/TCP.
/// </summary>
public sealed class AlertTests
{
    private static readonly DateTime At = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    internal static async Task<List<Employee>> SeedStaffAsync(PortalDbContext db, int count, string department = "Ops", string? timeZone = null, int start = 0)
    {
        var staff = new List<Employee>();
        for (var i = start; i < start + count; i++)
        {
            var e = new Employee("Employee " + i, PhoneNumber.Parse($"+7911{i + 1:D7}"), At);
            e.Update("Employee " + i, PhoneNumber.Parse($"+7911{i + 1:D7}"), null, department, "Engineer", "HQ", timeZone, true, At);
            staff.Add(e);
        }
        db.Employees.AddRange(staff);
        await db.SaveChangesAsync();
        return staff;
    }

    private static async Task<DispatchHarness> StartAsync(DatabaseProvider provider, bool rabbit, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings.TryAdd("Alerts:PollInterval", "00:00:00.200");
        var h = await DispatchHarness.CreateAsync(provider, rabbit, settings: settings);
        return h;
    }

    internal static async Task<T> WaitForAsync<T>(DispatchHarness h, Func<PortalDbContext, Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value;
        do
        {
            await using (var db = h.Database.CreateContext()) value = await read(db);
            if (done(value)) return value;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"Timed out waiting for {what}; last: {value}");
        return value;
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Sqlite, true)]
    public async Task Alarm_ConfirmedByDeliverSmFromTheSimulator_ClosesTheAlert(DatabaseProvider provider, bool rabbit)
    {
        await using var h = await StartAsync(provider, rabbit);
        List<Employee> staff;
        int groupId;
        await using (var db = h.Database.CreateContext())
        {
            staff = await SeedStaffAsync(db, 3);
            var group = new EmployeeGroup("Ops on duty", GroupRule.Department, "Ops");
            db.EmployeeGroups.Add(group);
            await db.SaveChangesAsync();
            groupId = group.Id;
        }
        await h.StartAsync();
        var raised = await h.Get<AlertService>().RaiseAsync(new AlertRequest(AlertKind.Alarm, "Data centre A is down", [groupId], [], null), "initiator");
        Assert.Equal(3, raised.Recipients);

        // All three SMS reach the simulator through the priority lane.
        await WaitForAsync(h, db => db.AlertRecipients.Where(r => r.AlertId == raised.AlertId)
                .Join(db.Messages, r => r.MessageId, m => m.Id, (r, m) => m.Status)
                .CountAsync(s => s == MessageStatus.Submitted || s == MessageStatus.Delivered),
            n => n == 3, TimeSpan.FromSeconds(60), "three alert SMS submitted");
        string code;
        await using (var db = h.Database.CreateContext())
        {
            var texts = await db.AlertRecipients.Where(r => r.AlertId == raised.AlertId)
                .Join(db.PriorityMessages, r => r.MessageId, p => p.MessageId, (r, p) => new { p.Text, p.Source }).ToListAsync();
            code = (await db.Alerts.SingleAsync(a => a.Id == raised.AlertId)).Code;
            Assert.All(texts, t => Assert.Equal(PrioritySource.Alarm, t.Source));
            Assert.All(texts, t => Assert.Contains(code, t.Text, StringComparison.Ordinal));
        }

        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync(staff[1].Phone, "1234", "1"));

        var alert = await WaitForAsync(h, db => db.Alerts.AsNoTracking().SingleAsync(a => a.Id == raised.AlertId),
            a => a.State == AlertState.Acknowledged, TimeSpan.FromSeconds(30), "the alert acknowledged");
        Assert.NotNull(alert.ClosedAt);
        Assert.Null(alert.NextEscalationAt);
        await using (var db = h.Database.CreateContext())
        {
            var acked = await db.AlertRecipients.Where(r => r.AlertId == raised.AlertId && r.AckedAt != null).Select(r => r.EmployeeId).ToListAsync();
            Assert.Equal([staff[1].Id], acked);
            Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.AlertAcknowledged && e.EntityId == raised.AlertId.ToString()));
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Sqlite, true)]
    public async Task Reply_WithSeveralOpenAlerts_IsMatchedByCode_AndPlainOneIsNotGuessed(DatabaseProvider provider, bool rabbit)
    {
        await using var h = await StartAsync(provider, rabbit);
        List<Employee> staff;
        await using (var db = h.Database.CreateContext()) staff = await SeedStaffAsync(db, 1);
        await h.StartAsync();
        var alerts = h.Get<AlertService>();
        var first = await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Branch 12 closed", [], [staff[0].Id], null), "initiator");
        var second = await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Phishing wave", [], [staff[0].Id], null), "initiator");
        string secondCode;
        await using (var db = h.Database.CreateContext()) secondCode = await db.Alerts.Where(a => a.Id == second.AlertId).Select(a => a.Code).SingleAsync();
        // Replies need a bound receiver: wait until both alarms reached the simulator (the sender has bound by then).
        await WaitForAsync(h, db => db.AlertRecipients.Join(db.Messages, r => r.MessageId, m => m.Id, (r, m) => m.Status)
                .CountAsync(s => s == MessageStatus.Submitted || s == MessageStatus.Delivered),
            n => n == 2, TimeSpan.FromSeconds(60), "both alarms submitted");

        // "1" with two open alerts is ambiguous: nothing is confirmed.
        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync(staff[0].Phone, "1234", "1"));
        await WaitForAsync(h, db => db.InboundMessages.CountAsync(), n => n == 1, TimeSpan.FromSeconds(30), "the first reply stored");
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(0, await db.AlertRecipients.CountAsync(r => r.AckedAt != null));
        }

        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync(staff[0].Phone, "1234", "ok " + secondCode));
        await WaitForAsync(h, db => db.Alerts.Where(a => a.Id == second.AlertId).Select(a => a.State).SingleAsync(),
            s => s == AlertState.Acknowledged, TimeSpan.FromSeconds(30), "the second alert acknowledged");
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(AlertState.Open, await db.Alerts.Where(a => a.Id == first.AlertId).Select(a => a.State).SingleAsync());
        }

        // Now only one is open: a plain "1" confirms it.
        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync(staff[0].Phone, "1234", "1"));
        await WaitForAsync(h, db => db.Alerts.Where(a => a.Id == first.AlertId).Select(a => a.State).SingleAsync(),
            s => s == AlertState.Acknowledged, TimeSpan.FromSeconds(30), "the first alert acknowledged");
    }

    /// <summary>
    /// 1-second levels: the alarm goes to level 2, then level 3, then stops (Exhausted) and tells the
    /// initiator. The test races the node's own loop with a second caller of the same step, as a
    /// second node would: each level is raised once (claimed by version).
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Sqlite, true)]
    public async Task UnansweredAlarm_EscalatesToLevel2ThenLevel3_AndStopsAtTheEndOfTheChain(DatabaseProvider provider, bool rabbit)
    {
        await using var h = await StartAsync(provider, rabbit);
        List<Employee> staff;
        int chainId;
        await using (var db = h.Database.CreateContext())
        {
            staff = await SeedStaffAsync(db, 3);
            var chain = new EscalationChain("Night duty");
            chain.AddLevel([staff[0].Id], [], TimeSpan.FromSeconds(1));
            chain.AddLevel([staff[1].Id], [], TimeSpan.FromSeconds(1));
            chain.AddLevel([staff[2].Id], [], TimeSpan.FromSeconds(1));
            db.EscalationChains.Add(chain);
            await db.SaveChangesAsync();
            chainId = chain.Id;
        }
        // Issue 22: escalations are counted (portal_alert_escalations_total). The meter is process-wide and
        // carries no alert id, so other tests may add to it: at least this alert's two steps and its end.
        var escalations = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == Portal.Infrastructure.Telemetry.PortalMetrics.MeterName && i.Name == "portal.alert.escalations") l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            foreach (var t in tags) if (t.Key == "outcome") escalations.AddOrUpdate((string)t.Value!, v, (_, n) => n + v);
        });
        listener.Start();
        await h.StartAsync();
        var service = h.Get<AlertService>();
        var raised = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Core switch down", [], [], chainId), "duty-lead");

        using var stop = new CancellationTokenSource();
        var secondNode = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await service.RunDueAsync(default);
                await Task.Delay(50);
            }
        });
        var alert = await WaitForAsync(h, db => db.Alerts.AsNoTracking().SingleAsync(a => a.Id == raised.AlertId),
            a => a.State != AlertState.Open, TimeSpan.FromSeconds(60), "the chain exhausted");
        await stop.CancelAsync();
        await secondNode;

        Assert.Equal(AlertState.Exhausted, alert.State);
        Assert.Equal(3, alert.CurrentLevel);
        Assert.True(escalations.GetValueOrDefault("escalated") >= 2, $"escalated {escalations.GetValueOrDefault("escalated")}");
        Assert.True(escalations.GetValueOrDefault("exhausted") >= 1, $"exhausted {escalations.GetValueOrDefault("exhausted")}");
        Assert.Null(alert.NextEscalationAt);
        // The escalations took at least the two level timeouts.
        Assert.True(alert.ClosedAt!.Value - alert.CreatedAt >= TimeSpan.FromSeconds(3), $"closed after {alert.ClosedAt - alert.CreatedAt}");
        await using var check = h.Database.CreateContext();
        var recipients = await check.AlertRecipients.Where(r => r.AlertId == raised.AlertId).OrderBy(r => r.Level)
            .Select(r => new { r.Level, r.EmployeeId, r.MessageId }).ToListAsync();
        Assert.Equal([(1, staff[0].Id), (2, staff[1].Id), (3, staff[2].Id)], recipients.Select(r => (r.Level, r.EmployeeId)).ToList());
        Assert.All(recipients, r => Assert.NotNull(r.MessageId));
        var audit = await check.AuditEntries.Where(e => e.EntityType == nameof(Alert) && e.EntityId == raised.AlertId.ToString()).Select(e => new { e.Action, e.UserName }).ToListAsync();
        Assert.Equal(2, audit.Count(a => a.Action == AuditActions.AlertEscalated));
        Assert.Single(audit, a => a.Action == AuditActions.AlertExhausted && a.UserName == "duty-lead");
        // Every level's SMS really left through the lane.
        await WaitForAsync(h, db => db.Messages.Where(m => recipients.Select(r => r.MessageId).Contains(m.Id))
            .CountAsync(m => m.Status == MessageStatus.Submitted || m.Status == MessageStatus.Delivered), n => n == 3, TimeSpan.FromSeconds(30), "three SMS submitted");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Sqlite, true)]
    public async Task QuietHours_DeferAnInformationalAlert_ButNeverAnAlarm(DatabaseProvider provider, bool rabbit)
    {
        // Quiet hours around "now" in UTC, for employees in Etc/UTC.
        var minute = DateTime.UtcNow.Hour * 60 + DateTime.UtcNow.Minute;
        await using var h = await StartAsync(provider, rabbit, new Dictionary<string, string?>
        {
            ["Alerts:QuietFromMinute"] = ((minute + 1440 - 60) % 1440).ToString(),
            ["Alerts:QuietToMinute"] = ((minute + 60) % 1440).ToString(),
        });
        List<Employee> staff;
        await using (var db = h.Database.CreateContext()) staff = await SeedStaffAsync(db, 2, timeZone: "Etc/UTC");
        await h.StartAsync();
        var service = h.Get<AlertService>();
        var info = await service.RaiseAsync(new AlertRequest(AlertKind.Informational, "Canteen closed today", [], staff.Select(s => s.Id).ToList(), null), "hr");
        var alarm = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Evacuate building B", [], staff.Select(s => s.Id).ToList(), null), "security");

        await WaitForAsync(h, db => db.AlertRecipients.Where(r => r.AlertId == alarm.AlertId)
                .Join(db.Messages, r => r.MessageId, m => m.Id, (r, m) => m.Status)
                .CountAsync(s => s == MessageStatus.Submitted || s == MessageStatus.Delivered),
            n => n == 2, TimeSpan.FromSeconds(60), "the alarm sent in quiet hours");
        // Several loop passes later the informational alert is still held until quiet hours end.
        await Task.Delay(1000);
        await using var check = h.Database.CreateContext();
        var deferred = await check.AlertRecipients.Where(r => r.AlertId == info.AlertId).ToListAsync();
        Assert.Equal(2, deferred.Count);
        Assert.All(deferred, r => Assert.Null(r.MessageId));
        Assert.All(deferred, r => Assert.True(DateTime.SpecifyKind(r.SendAfter, DateTimeKind.Utc) > DateTime.UtcNow.AddMinutes(50), $"send after {r.SendAfter:O}"));
    }
}
