using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// Issue 5's roll-ups: event criteria compiled to the clients' roll-up columns select exactly the
/// clients <c>EXISTS</c> over the events selects, on both providers, at any later moment without a
/// refresh, and after every writer of events (seeder, API ingestion) ran. Messages-received in its
/// early-exit form selects what a plain count selects.
/// </summary>
public sealed class EventRollupTests(AudienceData data) : IClassFixture<AudienceData>
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly string[] EventConditions =
    [
        """{"type":"condition","criterion":"event","operator":"has","key":"Purchase"}""",
        """{"type":"condition","criterion":"event","operator":"hasNot","key":"Visit"}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Login","days":30}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Payment","days":90}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":365,"amount":500}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":120,"amount":7000}""",
        """{"type":"condition","criterion":"event","operator":"hasNot","key":"Purchase","days":365,"amount":5000}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Payment","amount":2500}""",
        """{"type":"condition","criterion":"event","operator":"hasNot","key":"Payment","days":60,"amount":1000}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Login","days":200,"amount":1}""",
        """{"type":"condition","criterion":"event","operator":"has","key":"Custom","days":10}""",
        // NOT over a group mixing roll-ups of clients without any event (NULL columns) and EXISTS.
        """{"type":"group","logic":"or","not":true,"children":[{"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":30,"amount":3000},{"type":"condition","criterion":"event","operator":"has","key":"Visit","days":14}]}""",
    ];

    public static TheoryData<DatabaseProvider, int> Cases()
    {
        var cases = new TheoryData<DatabaseProvider, int>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
        {
            for (var i = 0; i < EventConditions.Length; i++)
            {
                cases.Add(provider, i);
            }
        }
        return cases;
    }

    private static async Task<List<long>> IdsAsync(PortalDbContext db, SegmentRule rule, DateTime now, bool rollups)
    {
        var context = await new SegmentAudience(new SingleContextFactory(db), new FixedClock(now)).ContextAsync(db, default);
        var predicate = new SegmentCompiler(context with { Now = now, EventRollups = rollups }).Compile(rule, sendable: false);
        return await db.Clients.AsNoTracking().Where(predicate).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EventCriterion_RollupsSelectWhatExistsSelects_NowAndLaterWithoutRefresh(DatabaseProvider provider, int index)
    {
        var rule = SegmentRuleJson.Parse(AudienceData.Rule(EventConditions[index]));
        await using var db = data.For(provider).CreateContext();
        var sizes = new List<int>();
        // The base is never refreshed between these moments: time passing must not make roll-ups wrong.
        foreach (var later in new[] { 0, 1, 29, 45, 200, 400, 800 })
        {
            var now = AudienceData.Reference.AddDays(later).AddHours(later % 7);
            var viaRollups = await IdsAsync(db, rule, now, rollups: true);
            var viaExists = await IdsAsync(db, rule, now, rollups: false);
            Assert.True(viaExists.SequenceEqual(viaRollups),
                $"+{later} days: EXISTS {viaExists.Count}, roll-ups {viaRollups.Count}, differ on {string.Join(",", viaExists.Except(viaRollups).Concat(viaRollups.Except(viaExists)).Take(10))}");
            sizes.Add(viaRollups.Count);
        }
        // Custom events and login amounts have no roll-up (EXISTS fallback) and no demo data.
        if (!EventConditions[index].Contains("Custom") && !EventConditions[index].Contains("\"amount\":1}"))
        {
            // The data must make the case mean something: the audience changes as time passes or is neither empty nor everyone.
            Assert.True(sizes.Distinct().Count() > 1 || sizes[0] is > 0 and < AudienceData.Clients, $"sizes {string.Join(",", sizes)}");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RollupColumns_EqualTheEventsAggregates(DatabaseProvider provider)
    {
        await using var db = data.For(provider).CreateContext();
        var clients = await db.Clients.AsNoTracking().ToDictionaryAsync(c => c.Id);
        var events = await db.ClientEvents.AsNoTracking().ToListAsync();
        Assert.NotEmpty(events);
        var byClient = events.GroupBy(e => e.ClientId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (id, client) in clients)
        {
            var mine = byClient.GetValueOrDefault(id) ?? [];
            var purchases = mine.Where(e => e.Type == ClientEventType.Purchase).ToList();
            var last = purchases.Count > 0 ? purchases.Max(e => e.OccurredAt) : (DateTime?)null;
            Assert.Equal(last, client.LastPurchaseEventAt);
            Assert.Equal(purchases.Where(e => e.OccurredAt == last).Max(e => e.Amount), client.LastPurchaseEventAmount);
            Assert.Equal(purchases.Max(e => e.Amount), client.MaxPurchaseEventAmount);
            Assert.Equal(mine.Where(e => e.Type == ClientEventType.Visit).Max(e => (DateTime?)e.OccurredAt), client.LastVisitEventAt);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ingestion_RefusesImpossibleDatesNegativeAmountsAndHugeAttributes_TheRollupsStayReal(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = AudienceData.Reference;
        await using (var db = database.CreateContext())
        {
            db.Clients.Add(new Client(PhoneNumber.Parse("+79160000001"), "А", "Б", now.AddYears(-2)) { ExternalId = "c1" });
            await db.SaveChangesAsync();
        }
        var ingestion = new ClientEventIngestion(database.Factory, new FixedClock(now), NullLogger<ClientEventIngestion>.Instance);

        var result = await ingestion.IngestAsync([
            new IncomingEvent(0, "c1", ClientEventType.Purchase, null, 100m, now.AddDays(-3), null),
            new IncomingEvent(1, "c1", ClientEventType.Purchase, null, 500m, new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc), null),
            new IncomingEvent(2, "c1", ClientEventType.Purchase, null, 50m, new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc), null),
            new IncomingEvent(3, "c1", ClientEventType.Purchase, null, -50m, now.AddDays(-1), null),
            new IncomingEvent(4, "c1", ClientEventType.Custom, "big", null, now.AddDays(-1), "{\"x\":\"" + new string('a', 5000) + "\"}"),
            new IncomingEvent(5, "c1", ClientEventType.Purchase, null, 70m, now.AddHours(12), null)], [], atomic: false, default);

        Assert.True(result.Applied);
        Assert.Equal(2, result.Accepted);
        Assert.Equal([1, 2, 3, 4], result.Errors.Select(e => e.Index).Order().ToArray());
        Assert.Equal(["occurredAt", "occurredAt", "amount", "attributes"], result.Errors.OrderBy(e => e.Index).Select(e => e.Field).ToArray());
        await using var check = database.CreateContext();
        var c1 = await check.Clients.AsNoTracking().SingleAsync(c => c.ExternalId == "c1");
        Assert.Equal(now.AddHours(12), c1.LastPurchaseEventAt);
        Assert.Equal(2, await check.ClientEvents.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ingestion_KeepsRollupsExact_ForNewerOlderAndCustomEvents(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = AudienceData.Reference;
        await using (var db = database.CreateContext())
        {
            db.Clients.AddRange(
                new Client(PhoneNumber.Parse("+79160000001"), "А", "Б", now.AddYears(-2)) { ExternalId = "c1" },
                new Client(PhoneNumber.Parse("+79160000002"), "В", "Г", now.AddYears(-2)) { ExternalId = "c2" });
            await db.SaveChangesAsync();
        }
        var ingestion = new ClientEventIngestion(database.Factory, new FixedClock(now), NullLogger<ClientEventIngestion>.Instance);
        async Task IngestAsync(params IncomingEvent[] events)
        {
            var result = await ingestion.IngestAsync(events, [], atomic: true, default);
            Assert.True(result.Applied);
            Assert.Equal(events.Length, result.Accepted);
        }
        // A big old purchase, then a small recent one, then (a later batch) an even older one.
        await IngestAsync(
            new IncomingEvent(0, "c1", ClientEventType.Purchase, null, 9000m, now.AddDays(-200), null),
            new IncomingEvent(1, "c1", ClientEventType.Purchase, null, 100m, now.AddDays(-3), null),
            new IncomingEvent(2, "c2", ClientEventType.Custom, "quiz", null, now.AddDays(-1), null));
        await IngestAsync(new IncomingEvent(0, "c1", ClientEventType.Purchase, null, 20000m, now.AddDays(-600), null),
            new IncomingEvent(1, "c2", ClientEventType.Payment, null, 300m, now.AddDays(-2), null));

        await using var check = database.CreateContext();
        var c1 = await check.Clients.AsNoTracking().SingleAsync(c => c.ExternalId == "c1");
        Assert.Equal(now.AddDays(-3), c1.LastPurchaseEventAt);
        Assert.Equal(100m, c1.LastPurchaseEventAmount);
        Assert.Equal(20000m, c1.MaxPurchaseEventAmount);
        Assert.Null(c1.LastPaymentEventAt);

        string[] conditions =
        [
            """{"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":30,"amount":500}""",
            """{"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":365,"amount":500}""",
            """{"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":30,"amount":50}""",
            """{"type":"condition","criterion":"event","operator":"has","key":"Purchase","amount":15000}""",
            """{"type":"condition","criterion":"event","operator":"has","key":"Payment","days":7}""",
            """{"type":"condition","criterion":"event","operator":"has","key":"Custom","days":7}""",
        ];
        long[][] expected = [[], [1], [1], [1], [2], [2]];
        for (var i = 0; i < conditions.Length; i++)
        {
            var rule = SegmentRuleJson.Parse(AudienceData.Rule(conditions[i]));
            var ids = (await IdsAsync(check, rule, now, rollups: true)).Select(id => id == c1.Id ? 1L : 2L).ToArray();
            Assert.Equal(expected[i], ids);
            Assert.Equal(await IdsAsync(check, rule, now, rollups: false), await IdsAsync(check, rule, now, rollups: true));
        }

        // The rollups verb's recompute restores what a manual change broke.
        await check.Clients.ExecuteUpdateAsync(u => u.SetProperty(c => c.MaxPurchaseEventAmount, (decimal?)null));
        Assert.Equal(2, await ClientEventRollups.RefreshAllAsync(check, null, default, clientsPerStatement: 1));
        Assert.Equal(20000m, await check.Clients.Where(c => c.Id == c1.Id).Select(c => c.MaxPurchaseEventAmount).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MessagesReceived_EarlyExit_SelectsWhatACountSelects(DatabaseProvider provider)
    {
        await using var db = data.For(provider).CreateContext();
        var now = AudienceData.Reference;
        MessageStatus[] notSent = [MessageStatus.Control, MessageStatus.Cancelled];
        (string Op, string Value, Func<int, bool> Holds)[] cases =
        [
            ("lessThan", "1", n => n < 1), ("lessThan", "2", n => n < 2), ("lessOrEqual", "1", n => n <= 1),
            ("greaterThan", "0", n => n > 0), ("greaterOrEqual", "2", n => n >= 2), ("equals", "1", n => n == 1),
            ("equals", "0", n => n == 0), ("notEquals", "1", n => n != 1), ("between", "[1,2]", n => n is >= 1 and <= 2),
            ("lessThan", "0", n => n < 0),
        ];
        foreach (var days in new[] { 30, 365 })
        {
            var since = now.AddDays(-days);
            var counts = await db.Clients.AsNoTracking().OrderBy(c => c.Id)
                .Select(c => new { c.Id, N = db.Messages.Count(m => m.ClientId == c.Id && m.CreatedAt >= since && !notSent.Contains(m.Status)) })
                .ToListAsync();
            Assert.Contains(counts, c => c.N >= 2);
            foreach (var (op, value, holds) in cases)
            {
                var rule = SegmentRuleJson.Parse(AudienceData.Rule(
                    $$"""{"type":"condition","criterion":"messagesReceived","operator":"{{op}}","value":{{value}},"days":{{days}}}"""));
                Assert.Equal(counts.Where(c => holds(c.N)).Select(c => c.Id).ToList(), await IdsAsync(db, rule, now, rollups: true));
            }
        }
    }

    /// <summary>Hands SegmentAudience the test's own context for <see cref="SegmentAudience.ContextAsync"/> (it never creates one there).</summary>
    private sealed class SingleContextFactory(PortalDbContext db) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => db;
    }
}
