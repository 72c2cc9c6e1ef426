using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Alerts;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Staff;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>
/// Issue 17, chain details: one/all/N confirmations per group, a level's repeats to the people who
/// have not confirmed, and the chain editor's save (create, then replace the levels).
/// </summary>
public sealed class EscalationChainTests
{
    private sealed class NoBus : IMessageBus
    {
        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();
        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private static AlertService Service(TestDatabase database) => new(database.Factory, new NoBus(), TimeProvider.System,
        Options.Create(new AlertsOptions()), Options.Create(new SendingOptions()), NullLogger<AlertService>.Instance);

    [Fact]
    public void AckRule_CountsPerGroup_AndNamedPeopleFormTheirOwnGroup()
    {
        AckVote V(int e, int? g, bool a) => new(e, g, a);
        var votes = new[] { V(1, 10, true), V(2, 10, false), V(3, 20, false), V(4, 20, false), V(5, null, false) };
        Assert.False(AckRule.IsSatisfied(RequiredAcks.One, 1, votes));
        var oneEach = new[] { V(1, 10, true), V(2, 10, false), V(3, 20, true), V(4, 20, false), V(5, null, true) };
        Assert.True(AckRule.IsSatisfied(RequiredAcks.One, 1, oneEach));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.All, 0, oneEach));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.Count, 2, oneEach));
        // N larger than a group asks for the whole group: the one-person group is satisfied by its one.
        var two = new[] { V(1, 10, true), V(2, 10, true), V(3, 20, true), V(4, 20, true), V(5, null, true) };
        Assert.True(AckRule.IsSatisfied(RequiredAcks.Count, 2, two));
        Assert.True(AckRule.IsSatisfied(RequiredAcks.All, 0, two));
        // A person alerted twice (a repeat) is one person: confirming either row counts once.
        Assert.True(AckRule.IsSatisfied(RequiredAcks.All, 0, [V(1, 10, false), V(1, 10, true)]));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.One, 1, []));
    }

    [Fact]
    public void Level_Validation_AndWaitAfterSend()
    {
        var chain = new EscalationChain("c");
        var level = chain.AddLevel([1], [], TimeSpan.FromMinutes(10), RequiredAcks.Count, 2, repeats: 2, repeatInterval: TimeSpan.FromMinutes(3));
        Assert.Equal(TimeSpan.FromMinutes(3), level.WaitAfterSend(0));
        Assert.Equal(TimeSpan.FromMinutes(3), level.WaitAfterSend(1));
        Assert.Equal(TimeSpan.FromMinutes(10), level.WaitAfterSend(2));
        Assert.Throws<DomainException>(() => chain.AddLevel([1], [], TimeSpan.FromMinutes(1), repeats: 11));
        Assert.Throws<DomainException>(() => chain.AddLevel([1], [], TimeSpan.FromMinutes(1), RequiredAcks.Count, 0));
        Assert.Throws<DomainException>(() => chain.AddLevel([1], [], TimeSpan.FromMinutes(1), repeats: 1, repeatInterval: TimeSpan.Zero));
        Assert.Single(chain.Levels);
    }

    /// <summary>Level 1 asks one confirmation in EACH of two groups: one group's confirmation leaves it open.</summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task OnePerGroup_NeedsAConfirmationFromEveryGroupOfTheLevel(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var service = Service(database);
        List<Employee> ops, sec;
        int chainId;
        await using (var db = database.CreateContext())
        {
            ops = await AlertTests.SeedStaffAsync(db, 2, "Ops");
            sec = await AlertTests.SeedStaffAsync(db, 2, "Security", start: 2);
            db.EmployeeGroups.AddRange(new EmployeeGroup("Ops", GroupRule.Department, "Ops"), new EmployeeGroup("Security", GroupRule.Department, "Security"));
            await db.SaveChangesAsync();
        }
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var groups = (await directory.GroupsAsync()).ToDictionary(g => g.Name, g => g.Id);
        chainId = await directory.SaveChainAsync(null, "Two teams", [new LevelInput([], [groups["Ops"], groups["Security"]], 600)], "admin");
        var raised = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Breach", [], [], chainId), "lead");
        Assert.Equal(4, raised.Recipients);

        await using (var db = database.CreateContext())
        {
            Assert.Equal(raised.AlertId, await AlertService.AcknowledgeAsync(db, ops[0].Phone, "1", DateTime.UtcNow, null, default));
            Assert.Equal(raised.AlertId, await AlertService.AcknowledgeAsync(db, ops[1].Phone, "1", DateTime.UtcNow, null, default));
        }
        await using (var db = database.CreateContext())
        {
            Assert.Equal(AlertState.Open, (await db.Alerts.SingleAsync(a => a.Id == raised.AlertId)).State);
            var byGroup = await db.AlertRecipients.Where(r => r.AlertId == raised.AlertId).Select(r => new { r.EmployeeId, r.GroupId }).ToListAsync();
            Assert.All(byGroup.Where(r => ops.Any(o => o.Id == r.EmployeeId)), r => Assert.Equal(groups["Ops"], r.GroupId));
            Assert.All(byGroup.Where(r => sec.Any(o => o.Id == r.EmployeeId)), r => Assert.Equal(groups["Security"], r.GroupId));
        }
        await using (var db = database.CreateContext())
        {
            await AlertService.AcknowledgeAsync(db, sec[1].Phone, "1", DateTime.UtcNow, null, default);
        }
        await using (var db = database.CreateContext())
        {
            Assert.Equal(AlertState.Acknowledged, (await db.Alerts.SingleAsync(a => a.Id == raised.AlertId)).State);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task NPerGroup_AndAll_AreCountedPerGroup(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var service = Service(database);
        List<Employee> ops;
        await using (var db = database.CreateContext())
        {
            ops = await AlertTests.SeedStaffAsync(db, 3, "Ops");
            db.EmployeeGroups.Add(new EmployeeGroup("Ops", GroupRule.Department, "Ops"));
            await db.SaveChangesAsync();
        }
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var ops1 = (await directory.GroupsAsync()).Single().Id;
        var twoOf = await directory.SaveChainAsync(null, "Two of ops", [new LevelInput([], [ops1], 600, RequiredAcks.Count, 2)], "admin");
        var all = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "All of ops", [ops1], [], null, RequiredAcks.All), "lead");
        var two = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Two of ops", [], [], twoOf), "lead");
        string allCode, twoCode;
        await using (var db = database.CreateContext())
        {
            allCode = await db.Alerts.Where(a => a.Id == all.AlertId).Select(a => a.Code).SingleAsync();
            twoCode = await db.Alerts.Where(a => a.Id == two.AlertId).Select(a => a.Code).SingleAsync();
        }
        async Task<(AlertState All, AlertState Two)> Ack(Employee e, string code)
        {
            await using (var db = database.CreateContext()) await AlertService.AcknowledgeAsync(db, e.Phone, code, DateTime.UtcNow, null, default);
            await using var check = database.CreateContext();
            return (await check.Alerts.Where(a => a.Id == all.AlertId).Select(a => a.State).SingleAsync(),
                await check.Alerts.Where(a => a.Id == two.AlertId).Select(a => a.State).SingleAsync());
        }
        Assert.Equal((AlertState.Open, AlertState.Open), await Ack(ops[0], twoCode));
        Assert.Equal((AlertState.Open, AlertState.Open), await Ack(ops[0], allCode));
        Assert.Equal((AlertState.Open, AlertState.Acknowledged), await Ack(ops[1], twoCode));
        Assert.Equal((AlertState.Open, AlertState.Acknowledged), await Ack(ops[1], allCode));
        Assert.Equal((AlertState.Open, AlertState.Acknowledged), await Ack(ops[1], allCode)); // a second reply counts once
        Assert.Equal((AlertState.Acknowledged, AlertState.Acknowledged), await Ack(ops[2], allCode));
    }

    /// <summary>
    /// The chain editor's save: create with repeats and per-group rules, read back, then replace the
    /// levels (fewer, different) under the same id; a level naming a deleted person is refused whole.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task SaveChain_CreatesThenReplacesLevels_Audited(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        List<Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 3);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var id = await directory.SaveChainAsync(null, "Night", [
            new LevelInput([staff[0].Id], [], 300, RequiredAcks.One, 1, 2, 60),
            new LevelInput([staff[1].Id, staff[2].Id], [], 600, RequiredAcks.Count, 2),
        ], "admin");
        var read = await directory.ChainAsync(id);
        Assert.NotNull(read);
        Assert.Equal(2, read.Levels.Count);
        Assert.Equal((2, 60, 300), (read.Levels[0].Repeats, read.Levels[0].RepeatIntervalSeconds, read.Levels[0].TimeoutSeconds));
        Assert.Equal((RequiredAcks.Count, 2, 0), (read.Levels[1].Required, read.Levels[1].RequiredCount, read.Levels[1].Repeats));

        Assert.Equal(id, await directory.SaveChainAsync(id, "Night shift", [new LevelInput([staff[2].Id], [], 120, RequiredAcks.All, 1, 1, 30)], "admin"));
        read = await directory.ChainAsync(id);
        Assert.Equal("Night shift", read!.Name);
        var only = Assert.Single(read.Levels);
        Assert.Equal([staff[2].Id], only.People);
        Assert.Equal((RequiredAcks.All, 1, 30, 120), (only.Required, only.Repeats, only.RepeatIntervalSeconds, only.TimeoutSeconds));

        await Assert.ThrowsAsync<DomainException>(() => directory.SaveChainAsync(id, "Night shift", [new LevelInput([999_999], [], 60)], "admin"));
        await Assert.ThrowsAsync<DomainException>(() => directory.SaveChainAsync(null, "Night shift", [new LevelInput([staff[0].Id], [], 60)], "admin"));
        Assert.Single((await directory.ChainAsync(id))!.Levels);
        await using var check = database.CreateContext();
        Assert.Equal(2, await check.AuditEntries.CountAsync(e => e.Action == AuditActions.ChainSaved && e.EntityId == id.ToString()));
        Assert.Equal(1, await check.EscalationChains.CountAsync());
    }

    /// <summary>
    /// A chain is deleted only when no open alert escalates along it (that alert reads its levels at
    /// the next step); a closed alert keeps its recipients, times and outcome, losing only the link.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task DeleteChain_RefusedWhileAnAlertIsOpenOnIt_ThenDeleted_ClosedAlertKeepsItsHistory(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        List<Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 2);
        var directory = new StaffDirectory(database.Factory, TimeProvider.System);
        var id = await directory.SaveChainAsync(null, "Weekend", [new LevelInput([staff[0].Id], [], 300), new LevelInput([staff[1].Id], [], 300)], "admin");
        var other = await directory.SaveChainAsync(null, "Weekday", [new LevelInput([staff[1].Id], [], 300)], "admin");
        var alerts = Service(database);
        var raised = await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Storage array degraded", [], [], id), "duty-lead");

        var refused = await Assert.ThrowsAsync<DomainException>(() => directory.DeleteChainAsync(id, "admin"));
        Assert.Equal("Open alerts escalate along this chain ({0}): close them first.", refused.Text);
        Assert.Equal([1], refused.Args);
        Assert.Equal(2, (await directory.ChainAsync(id))!.Levels.Count);

        await alerts.CloseAsync(raised.AlertId, "duty-lead", default);
        await directory.DeleteChainAsync(id, "admin");

        Assert.Null(await directory.ChainAsync(id));
        Assert.NotNull(await directory.ChainAsync(other));
        var missing = await Assert.ThrowsAsync<DomainException>(() => directory.DeleteChainAsync(id, "admin"));
        Assert.Equal("There is no such escalation chain.", missing.Text);
        await using var check = database.CreateContext();
        Assert.Equal(0, await check.EscalationLevels.CountAsync(l => l.ChainId == id));
        var closed = await check.Alerts.AsNoTracking().SingleAsync(a => a.Id == raised.AlertId);
        Assert.Null(closed.ChainId);
        Assert.Equal(AlertState.Closed, closed.State);
        var history = await check.AlertRecipients.Where(r => r.AlertId == raised.AlertId).Select(r => new { r.Level, r.EmployeeId }).ToListAsync();
        Assert.Equal([(1, staff[0].Id)], history.Select(r => (r.Level, r.EmployeeId)).ToList());
        var audit = await check.AuditEntries.SingleAsync(e => e.Action == AuditActions.ChainDeleted);
        Assert.Equal((id.ToString(), "admin", "name=Weekend"), (audit.EntityId, audit.UserName, audit.Details));
    }

    /// <summary>
    /// Repeats over the real pipeline: level 1 (two people, one confirms at once) is re-sent twice
    /// to the one who did not, then level 2 is alerted and the chain ends. Every SMS reaches the
    /// simulator.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    public async Task Repeats_ResendToTheUnconfirmed_ThenTheNextLevel(DatabaseProvider provider, bool rabbit)
    {
        // The node's own loop is idle (1 h): the test drives the steps, so the confirmation below is
        // certainly in before the first repeat is decided, however loaded the machine.
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, settings: new Dictionary<string, string?> { ["Alerts:PollInterval"] = "01:00:00" });
        List<Employee> staff;
        int chainId;
        await using (var db = h.Database.CreateContext())
        {
            staff = await AlertTests.SeedStaffAsync(db, 3);
            var chain = new EscalationChain("Repeating");
            // Needs both of level 1; 3 s between sends leaves the immediate confirmation well ahead of the first repeat.
            chain.AddLevel([staff[0].Id, staff[1].Id], [], TimeSpan.FromSeconds(2), RequiredAcks.All, 1, repeats: 2, repeatInterval: TimeSpan.FromSeconds(3));
            chain.AddLevel([staff[2].Id], [], TimeSpan.FromSeconds(1));
            db.EscalationChains.Add(chain);
            await db.SaveChangesAsync();
            chainId = chain.Id;
        }
        await h.StartAsync();
        var raised = await h.Get<AlertService>().RaiseAsync(new AlertRequest(AlertKind.Alarm, "Disk array degraded", [], [], chainId), "duty-lead");
        await using (var db = h.Database.CreateContext())
        {
            Assert.NotNull(await AlertService.AcknowledgeAsync(db, staff[0].Phone, "1", DateTime.UtcNow, null, default));
        }

        var service = h.Get<AlertService>();
        var alert = await AlertTests.WaitForAsync(h, async db =>
            {
                await service.RunDueAsync(default);
                return await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == raised.AlertId);
            },
            a => a.State != AlertState.Open, TimeSpan.FromSeconds(60), "the chain exhausted");
        Assert.Equal(AlertState.Exhausted, alert.State);
        Assert.Equal(2, alert.CurrentLevel);
        // 3 s + 3 s of repeat intervals, then the 2 s timeout, then level 2's 1 s.
        Assert.True(alert.ClosedAt!.Value - alert.CreatedAt >= TimeSpan.FromSeconds(9), $"closed after {alert.ClosedAt - alert.CreatedAt}");
        await using var check = h.Database.CreateContext();
        var rows = await check.AlertRecipients.Where(r => r.AlertId == raised.AlertId).OrderBy(r => r.Id)
            .Select(r => new { r.Level, r.Round, r.EmployeeId, r.MessageId, r.SendAfter }).ToListAsync();
        Assert.Equal([(1, 0, staff[0].Id), (1, 0, staff[1].Id), (1, 1, staff[1].Id), (1, 2, staff[1].Id), (2, 0, staff[2].Id)],
            rows.Select(r => (r.Level, r.Round, r.EmployeeId)).ToList());
        // The repeats keep their interval (never earlier than 3 s after the previous send).
        Assert.True(rows[2].SendAfter - rows[1].SendAfter >= TimeSpan.FromSeconds(3) && rows[3].SendAfter - rows[2].SendAfter >= TimeSpan.FromSeconds(3));
        Assert.True(rows[4].SendAfter - rows[3].SendAfter >= TimeSpan.FromSeconds(2));
        var audit = await check.AuditEntries.Where(e => e.Action == AuditActions.AlertEscalated && e.EntityId == raised.AlertId.ToString()).Select(e => e.Details).ToListAsync();
        Assert.Equal(3, audit.Count);
        Assert.Equal(2, audit.Count(d => d != null && d.Contains("repeat=", StringComparison.Ordinal)));
        var ids = rows.Select(r => r.MessageId).ToList();
        Assert.All(ids, id => Assert.NotNull(id));
        await AlertTests.WaitForAsync(h, db => db.Messages.Where(m => ids.Contains(m.Id))
            .CountAsync(m => m.Status == MessageStatus.Submitted || m.Status == MessageStatus.Delivered), n => n == 5, TimeSpan.FromSeconds(30), "five SMS submitted");
    }
}
