using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Alerts;
using Portal.Domain.Common;
using Portal.Domain.Staff;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>Issue 17: on-call rosters — who is on duty at the hand-over boundary, across a DST change, and as a chain level's target.</summary>
public sealed class OnCallRosterTests
{
    private sealed class NoBus : IMessageBus
    {
        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();
        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private sealed class SetClock(DateTime utc) : TimeProvider
    {
        public DateTime Now { get; set; } = utc;
        public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(Now, DateTimeKind.Utc));
    }

    private static DateTime Utc(int month, int day, int hour, int minute, int second = 0) => new(2026, month, day, hour, minute, second, DateTimeKind.Utc);

    [Fact]
    public void HandOver_IsAtTheLocalTime_AndSurvivesTheDaylightSavingChange()
    {
        // Berlin, 09:00 hand-over, daily shifts from Saturday 28 March 2026; DST starts Sunday 29 March.
        var roster = new OnCallRoster("Berlin NOC", "Europe/Berlin", 9 * 60, 1, new DateOnly(2026, 3, 28), [11, 12, 13]);
        Assert.Null(roster.OnDutyAt(Utc(3, 28, 7, 59, 59)));          // 08:59:59 CET: before the first shift
        Assert.Equal(11, roster.OnDutyAt(Utc(3, 28, 8, 0)));          // 09:00 CET
        Assert.Equal(Utc(3, 29, 7, 0), roster.NextHandoverAfter(Utc(3, 28, 12, 0))); // 09:00 CEST is 07:00 UTC
        Assert.Equal(11, roster.OnDutyAt(Utc(3, 29, 6, 59, 59)));     // 08:59:59 CEST
        Assert.Equal(12, roster.OnDutyAt(Utc(3, 29, 7, 0)));          // 09:00 CEST
        Assert.Equal(13, roster.OnDutyAt(Utc(3, 30, 7, 0)));
        Assert.Equal(11, roster.OnDutyAt(Utc(3, 31, 7, 0)));          // the turn wraps round
        // Weekly shifts: the whole week is one person's, the hand-over on the 8th day.
        var weekly = new OnCallRoster("Weekly", "Asia/Yekaterinburg", 10 * 60, 7, new DateOnly(2026, 6, 1), [1, 2]);
        Assert.Equal(1, weekly.OnDutyAt(Utc(6, 8, 4, 59, 59)));       // 09:59:59 local (UTC+5) on day 8
        Assert.Equal(2, weekly.OnDutyAt(Utc(6, 8, 5, 0)));
        Assert.Throws<DomainException>(() => new OnCallRoster("x", "Mars/Olympus", 0, 1, new DateOnly(2026, 1, 1), [1]));
        Assert.Throws<DomainException>(() => new OnCallRoster("x", "Europe/Moscow", 0, 1, new DateOnly(2026, 1, 1), []));
        Assert.Throws<DomainException>(() => new OnCallRoster("x", "Europe/Moscow", 1440, 1, new DateOnly(2026, 1, 1), [1]));
    }

    /// <summary>
    /// A chain whose level 2 is "whoever is on duty": the level is resolved when it fires, so an
    /// escalation just after the 09:00 Moscow hand-over (06:00 UTC) pages the incoming person, and an
    /// alarm raised one second before it pages the outgoing one.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ChainLevel_OnDuty_IsWhoeverHoldsTheShiftWhenTheLevelFires(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = new SetClock(Utc(6, 1, 5, 59, 0));
        var service = new AlertService(database.Factory, new NoBus(), clock, Options.Create(new AlertsOptions()), Options.Create(new SendingOptions()),
            NullLogger<AlertService>.Instance);
        var directory = new StaffDirectory(database.Factory, clock);
        List<Employee> staff;
        await using (var db = database.CreateContext()) staff = await AlertTests.SeedStaffAsync(db, 3);
        var rosterId = await directory.SaveRosterAsync(null, new RosterInput("Moscow duty", "Europe/Moscow", 9 * 60, 1, new DateOnly(2026, 5, 31),
            [staff[1].Id, staff[2].Id]), "admin");
        var rosters = await directory.RostersAsync();
        // 08:59 Moscow on 1 June: still the shift that began on 31 May at 09:00.
        Assert.Equal(staff[1].Id, Assert.Single(rosters).OnDutyNow);
        Assert.Equal(Utc(6, 1, 6, 0), rosters[0].NextHandover);
        var chainId = await directory.SaveChainAsync(null, "To the duty officer", [
            new LevelInput([staff[0].Id], [], 60),
            new LevelInput([], [], 60, Rosters: [rosterId]),
        ], "admin");

        // Raised at 05:59:00 UTC, level 1's minute runs out at 06:00:00: the hand-over has happened.
        var raised = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Payments down", [], [], chainId), "lead");
        clock.Now = Utc(6, 1, 6, 0, 0);
        Assert.Equal(1, await service.RunDueAsync(default));
        // A direct alarm to the roster's level one second before a hand-over goes to the outgoing person.
        var directChain = await directory.SaveChainAsync(null, "Duty only", [new LevelInput([], [], 60, Rosters: [rosterId])], "admin");
        clock.Now = Utc(6, 2, 5, 59, 59);
        var before = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Before hand-over", [], [], directChain), "lead");
        clock.Now = Utc(6, 2, 6, 0, 0);
        var after = await service.RaiseAsync(new AlertRequest(AlertKind.Alarm, "After hand-over", [], [], directChain), "lead");

        await using var check = database.CreateContext();
        var levels = await check.AlertRecipients.Where(r => r.AlertId == raised.AlertId).OrderBy(r => r.Level).Select(r => new { r.Level, r.EmployeeId }).ToListAsync();
        Assert.Equal([(1, staff[0].Id), (2, staff[2].Id)], levels.Select(l => (l.Level, l.EmployeeId)).ToList());
        Assert.Equal(staff[2].Id, await check.AlertRecipients.Where(r => r.AlertId == before.AlertId).Select(r => r.EmployeeId).SingleAsync());
        Assert.Equal(staff[1].Id, await check.AlertRecipients.Where(r => r.AlertId == after.AlertId).Select(r => r.EmployeeId).SingleAsync());
    }
}
