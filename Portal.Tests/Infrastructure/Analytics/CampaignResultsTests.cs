using Microsoft.EntityFrameworkCore;
using Portal.Domain.Analytics;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;
using static Portal.Tests.Infrastructure.Analytics.AnalyticsWorld;

namespace Portal.Tests.Infrastructure.Analytics;

/// <summary>Attribution and campaign results on real databases, against a computation written here from raw rows.</summary>
public class CampaignResultsTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly CampaignGoal Purchase7Days = new(GoalEventTypes.Purchase, null, 168);

    /// <summary>The synthetic campaign: 200,000 recipients, 5.0 % of the sent group and 4.0 % of the control group buy.</summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task PlantedUplift_200000Recipients_GivesThePlantedRates_AndTheRawRowComputation(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 200_000);
        var id = await AddCampaignAsync(database, "Planted", Purchase7Days);
        await PlantAsync(database, new PlantedCampaign(id, 1, 200_000, SentAt, ReplyEvery: 50, OptOutEvery: 400));

        await Attributor(database).CatchUpAsync(5_000, CancellationToken.None);
        var report = (await Results(database).GetAsync(id, CancellationToken.None))!;

        var t = report.Total;
        Assert.Equal(180_000, t.Sent.Recipients);
        Assert.Equal(20_000, t.Control.Recipients);
        Assert.Equal(9_000, t.Sent.Conversions);
        Assert.Equal(800, t.Control.Conversions);
        Assert.Equal(0.05, t.Uplift.SentRate, 12);
        Assert.Equal(0.04, t.Uplift.ControlRate, 12);
        Assert.True(t.Uplift.AbsoluteInterval!.Value.Contains(0.01));
        Assert.Equal(UpliftVerdict.SignificantIncrease, t.Uplift.Verdict);
        Assert.Equal(9_000 * 50_000L, t.Sent.RevenueMinor);

        // The independent computation: raw message rows and events, the rule applied by hand.
        var expected = await RawRowConversionsAsync(database, id, TimeSpan.FromHours(168));
        Assert.Equal(expected.Sent, t.Sent.Conversions);
        Assert.Equal(expected.Control, t.Control.Conversions);
        foreach (var row in report.Breakdown.Where(r => r.Dimension == ResultDimensions.Region))
        {
            expected.ByRegion.TryGetValue((row.Value, false), out var sent);
            expected.ByRegion.TryGetValue((row.Value, true), out var control);
            Assert.Equal(sent, row.Sent.Conversions);
            Assert.Equal(control, row.Control.Conversions);
        }
        Assert.Equal(t.Sent.Recipients, report.Breakdown.Where(r => r.Dimension == ResultDimensions.LocalHour).Sum(r => r.Sent.Recipients));
        Assert.Equal(200_000 / 50, t.Sent.Replied); // ids ending in 3 modulo 50: never a control id
    }

    private sealed record Expected(long Sent, long Control, Dictionary<(string, bool), long> ByRegion);

    private static async Task<Expected> RawRowConversionsAsync(TestDatabase database, int campaignId, TimeSpan window)
    {
        await using var db = database.CreateContext();
        var messages = await db.Messages.AsNoTracking().Where(m => m.CampaignId == campaignId)
            .Select(m => new { m.ClientId, m.Status, m.CreatedAt, m.DoneAt }).ToListAsync();
        var events = (await db.ClientEvents.AsNoTracking().Where(e => e.Type == ClientEventType.Purchase)
            .Select(e => new { e.ClientId, e.OccurredAt }).ToListAsync()).ToLookup(e => e.ClientId);
        var regions = await db.Clients.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.RegionCode ?? "");
        long sent = 0, control = 0;
        var byRegion = new Dictionary<(string, bool), long>();
        foreach (var m in messages)
        {
            var isControl = m.Status == MessageStatus.Control;
            DateTime? anchor = isControl ? m.CreatedAt : m.Status == MessageStatus.Delivered ? m.DoneAt : null;
            if (anchor is null) continue;
            if (!events[m.ClientId].Any(e => e.OccurredAt >= anchor && e.OccurredAt <= anchor + window)) continue;
            if (isControl) control++; else sent++;
            var key = (regions[m.ClientId], isControl);
            byRegion[key] = byRegion.GetValueOrDefault(key) + 1;
        }
        return new Expected(sent, control, byRegion);
    }

    [Fact]
    public async Task BothDatabases_GiveIdenticalCells()
    {
        var cells = new List<string>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
        {
            await using var database = await TestDatabase.CreateAsync(provider);
            await WriteClientsAsync(database, 20_000);
            var id = await AddCampaignAsync(database, "Parity", new CampaignGoal(GoalEventTypes.Purchase | GoalEventTypes.Login, 100m, 48));
            await PlantAsync(database, new PlantedCampaign(id, 1, 20_000, SentAt, 70, 30, 123.45m, UndeliverableEvery: 9, ReplyEvery: 30, OptOutEvery: 90, WindowHours: 48));
            await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);
            var report = (await Results(database).GetAsync(id, CancellationToken.None))!;
            cells.Add(string.Join("\n", new[] { report.Total }.Concat(report.Breakdown)
                .Select(r => $"{r.Dimension}|{r.Value}|{r.Sent with { Cost = Math.Round(r.Sent.Cost, 6) }}|{r.Control with { Cost = Math.Round(r.Control.Cost, 6) }}")));
        }
        Assert.Equal(cells[0], cells[1]);
        Assert.Contains("region|", cells[0]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EdgeCases_BeforeTheMessage_WindowEdge_TwoCampaigns_LateEvents_ErasedClients(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 6);
        var goal = new CampaignGoal(GoalEventTypes.Purchase, null, 24);
        var a = await AddCampaignAsync(database, "A", goal);
        var b = await AddCampaignAsync(database, "B", goal, at: SentAt.AddHours(5));
        var delivered = SentAt.AddMinutes(1);
        await using (var db = database.CreateContext())
        {
            Message M(int campaign, long client, bool control, DateTime at)
            {
                var m = new Message(campaign, client, "+79000000000", at) { Status = control ? MessageStatus.Control : MessageStatus.Delivered };
                if (!control) m.DoneAt = at.AddMinutes(1);
                return m;
            }
            db.Messages.AddRange(M(a, 1, false, SentAt), M(a, 2, false, SentAt), M(a, 3, false, SentAt), M(a, 4, true, SentAt), M(a, 5, false, SentAt),
                M(b, 3, false, SentAt.AddHours(5)), M(a, 6, false, SentAt));
            db.ClientEvents.AddRange(
                new ClientEvent(1, ClientEventType.Purchase, delivered.AddMilliseconds(-1), 10m),        // before the message: no
                new ClientEvent(2, ClientEventType.Purchase, delivered.AddHours(24), 20m),         // exactly at the edge: yes
                new ClientEvent(2, ClientEventType.Purchase, delivered.AddHours(25), 99m),         // past it
                new ClientEvent(3, ClientEventType.Purchase, SentAt.AddHours(6), 30m),             // after B's delivery: B's
                new ClientEvent(4, ClientEventType.Purchase, SentAt.AddHours(1), 40m),             // control, after the snapshot: yes
                new ClientEvent(5, ClientEventType.Purchase, delivered.AddHours(10), 50m),         // yes, then a late earlier one arrives
                new ClientEvent(6, ClientEventType.Purchase, delivered.AddHours(2), 60m));         // an erased client still counts
            await db.SaveChangesAsync();
        }
        var attributor = Attributor(database);
        await attributor.CatchUpAsync(2, CancellationToken.None);

        await using (var db = database.CreateContext())
        {
            db.ClientEvents.Add(new ClientEvent(5, ClientEventType.Purchase, delivered.AddHours(3), 45m)); // late, back-dated
            await db.SaveChangesAsync();
            await db.Clients.Where(c => c.Id == 6).ExecuteUpdateAsync(s => s.SetProperty(c => c.FirstName, (string?)null));
        }
        await attributor.CatchUpAsync(2, CancellationToken.None);

        await using (var db = database.CreateContext())
        {
            var conversions = await db.Conversions.AsNoTracking().OrderBy(c => c.CampaignId).ThenBy(c => c.ClientId).ToListAsync();
            Assert.Equal(
                [(a, 2L, false, 2000L), (a, 4L, true, 4000L), (a, 5L, false, 4500L), (a, 6L, false, 6000L), (b, 3L, false, 3000L)],
                conversions.Select(c => (c.CampaignId, c.ClientId, c.IsControl, c.AmountMinor)).ToList());
        }
        var report = (await Results(database).GetAsync(a, CancellationToken.None))!;
        Assert.Equal(5, report.Total.Sent.Recipients);
        Assert.Equal(3, report.Total.Sent.Conversions);
        Assert.Equal(1, report.Total.Control.Conversions);
        Assert.True(report.Total.Uplift.IsSmall);
        Assert.Equal(UpliftVerdict.NotSignificant, report.Total.Uplift.Verdict);
    }

    /// <summary>The demo history on a small base (the tests' 300 clients, a trial's 1,000): the planted
    /// rates stay rates, not "every client of the first 500 ids bought" (conversion = delivery, control 100 %).</summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task PlantedRule_OnASmallBase_StillGivesRatesNearThePlantedOnes(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 1_000);
        var id = await AddCampaignAsync(database, "Small base", Purchase7Days);
        await PlantAsync(database, new PlantedCampaign(id, 1, 1_000, SentAt, Noise: false));
        await Attributor(database).CatchUpAsync(500, CancellationToken.None);
        var t = (await Results(database).GetAsync(id, CancellationToken.None))!.Total;

        Assert.Equal(900, t.Sent.Recipients);
        Assert.InRange(t.Uplift.SentRate, 0.03, 0.10); // planted 5 %: 72 of 900 with this rule
        Assert.InRange(t.Uplift.ControlRate, 0.0, 0.10); // planted 4 %: 5 of 100
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ZeroConversions_AndNoControlGroup_AreReportedWithoutAClaim(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 1_000);
        var id = await AddCampaignAsync(database, "Nobody buys", Purchase7Days);
        await PlantAsync(database, new PlantedCampaign(id, 1, 1_000, SentAt, 0, 0, Noise: false));
        await Attributor(database).CatchUpAsync(500, CancellationToken.None);
        var report = (await Results(database).GetAsync(id, CancellationToken.None))!;
        Assert.Equal(0, report.Total.Sent.Conversions + report.Total.Control.Conversions);
        Assert.Equal(UpliftVerdict.NotSignificant, report.Total.Uplift.Verdict);

        var none = await AddCampaignAsync(database, "No control", Purchase7Days, controlPercent: 0);
        await using (var db = database.CreateContext())
        {
            db.Messages.Add(new Message(none, 1, "+79000000000", SentAt) { Status = MessageStatus.Delivered, DoneAt = SentAt });
            await db.SaveChangesAsync();
        }
        var noControl = (await Results(database).GetAsync(none, CancellationToken.None))!;
        Assert.Equal(UpliftVerdict.NoControlGroup, noControl.Total.Uplift.Verdict);
        Assert.Null(noControl.Total.Uplift.AbsoluteUplift);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RepeatedRead_ReusesTheKeptCells_UntilAConversionArrives(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 2_000);
        var id = await AddCampaignAsync(database, "Kept", Purchase7Days);
        await PlantAsync(database, new PlantedCampaign(id, 1, 2_000, SentAt));
        await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);
        var clock = new FixedTime(SentAt.AddDays(30));
        var results = Results(database, clock);
        var first = (await results.GetAsync(id, CancellationToken.None))!;

        // A message row changed behind the cells' back is not seen: the read did not scan.
        await using (var db = database.CreateContext())
        {
            await db.Messages.Where(m => m.CampaignId == id && m.ClientId == 1).ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Expired));
        }
        clock.Now = clock.Now.AddMinutes(5);
        var second = (await results.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(first.ComputedAt, second.ComputedAt);
        Assert.Equal(first.Total.Sent.Delivered, second.Total.Sent.Delivered);

        // A late purchase of a control client: attributed, and the next read recomputes.
        await using (var db = database.CreateContext())
        {
            db.ClientEvents.Add(new ClientEvent(500, ClientEventType.Purchase, SentAt.AddHours(2), 1m));
            await db.SaveChangesAsync();
        }
        await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);
        var third = (await results.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(first.Total.Control.Conversions + 1, third.Total.Control.Conversions);
        // Only the responders were recomputed: the settled campaign's base part (delivery) is kept.
        Assert.Equal(first.Total.Sent.Delivered, third.Total.Sent.Delivered);

        // Dropping the kept cells (a repair) recomputes the base part too.
        await results.InvalidateAsync(id, CancellationToken.None);
        var fourth = (await results.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(first.Total.Sent.Delivered - 1, fourth.Total.Sent.Delivered);
        Assert.Equal(third.Total.Control.Conversions, fourth.Total.Control.Conversions);
    }

    /// <summary>
    /// Issue 15's cold read: new conversions (one of them replacing a later one), replies and opt-outs
    /// are added as changes to the kept responders' and base parts, neither recomputed; the sum equals a
    /// computation from nothing kept, cell for cell.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task NewResponses_RecomputeOnlyTheResponders_AndEqualAComputationFromNothingKept(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 5_000);
        var id = await AddCampaignAsync(database, "Split", Purchase7Days);
        await PlantAsync(database, new PlantedCampaign(id, 1, 5_000, SentAt, ReplyEvery: 50, OptOutEvery: 400));
        await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);
        var results = Results(database);
        var before = (await results.GetAsync(id, CancellationToken.None))!;
        DateTime baseComputedAt;
        long[] quiet, converted;
        await using (var db = database.CreateContext())
        {
            baseComputedAt = (await db.CampaignResultSnapshots.SingleAsync(s => s.CampaignId == id)).BaseComputedAt;
            var responders = db.Conversions.Where(v => v.CampaignId == id).Select(v => v.ClientId)
                .Concat(db.InboundMessages.Where(i => i.CampaignId == id && i.ClientId != null).Select(i => i.ClientId!.Value));
            quiet = await db.Messages.Where(m => m.CampaignId == id && m.Status == MessageStatus.Delivered && !responders.Contains(m.ClientId))
                .OrderBy(m => m.ClientId).Select(m => m.ClientId).Take(6).ToArrayAsync();
            converted = await db.Conversions.Where(v => v.CampaignId == id && !v.IsControl).OrderBy(v => v.ClientId).Select(v => v.ClientId).Take(1).ToArrayAsync();
            // Two new buyers, an earlier and dearer purchase of one who had converted, two replies (one twice) and an opt-out.
            db.ClientEvents.Add(new ClientEvent(quiet[0], ClientEventType.Purchase, SentAt.AddHours(3), 70m));
            db.ClientEvents.Add(new ClientEvent(quiet[1], ClientEventType.Purchase, SentAt.AddDays(2), 12.5m));
            db.ClientEvents.Add(new ClientEvent(converted[0], ClientEventType.Purchase, SentAt.AddMinutes(90), 999m));
            foreach (var (client, kind) in new[] { (quiet[2], InboundKind.Reply), (quiet[2], InboundKind.Reply), (quiet[3], InboundKind.Reply), (quiet[4], InboundKind.OptOut) })
            {
                db.InboundMessages.Add(new InboundMessage("79990000000", "PORTAL", kind == InboundKind.OptOut ? "STOP" : "ok", SentAt.AddHours(4), kind)
                    { ClientId = client, CampaignId = id });
            }
            await db.SaveChangesAsync();
            // A conversion changed behind the attributor's back (no change row): a read that added only
            // the changes does not see it; one that recomputed every responder would.
            await db.Conversions.Where(v => v.CampaignId == id && v.ClientId != converted[0] && !v.IsControl)
                .OrderBy(v => v.ClientId).Take(1).ExecuteUpdateAsync(u => u.SetProperty(v => v.AmountMinor, v => v.AmountMinor + 1));
        }
        await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);

        var after = (await results.GetAsync(id, CancellationToken.None))!;

        Assert.Equal(before.Total.Sent.Conversions + 2, after.Total.Sent.Conversions);
        Assert.Equal(before.Total.Sent.Replied + 2, after.Total.Sent.Replied);
        Assert.Equal(before.Total.Sent.OptedOut + 1, after.Total.Sent.OptedOut);
        Assert.Equal(before.Total.Sent.RevenueMinor + 7_000 + 1_250 + 99_900 - 50_000, after.Total.Sent.RevenueMinor);
        await using (var db = database.CreateContext())
        {
            Assert.Equal(baseComputedAt, (await db.CampaignResultSnapshots.SingleAsync(s => s.CampaignId == id)).BaseComputedAt);
            await db.Conversions.Where(v => v.CampaignId == id && v.ClientId != converted[0] && !v.IsControl)
                .OrderBy(v => v.ClientId).Take(1).ExecuteUpdateAsync(u => u.SetProperty(v => v.AmountMinor, v => v.AmountMinor - 1));
        }
        await results.InvalidateAsync(id, CancellationToken.None);
        var full = (await results.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(Cells(full), Cells(after));
    }

    /// <summary>
    /// A reply removed behind the kept marks (a row the marks counted is gone, as a late-committed row
    /// would be missing from them): the read does not add changes onto a wrong base but recomputes
    /// every responder, and then counts one reply fewer.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ReplyGoneBehindTheMarks_RecomputesTheResponders(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 2_000);
        var id = await AddCampaignAsync(database, "Late", Purchase7Days);
        await PlantAsync(database, new PlantedCampaign(id, 1, 2_000, SentAt, ReplyEvery: 50));
        await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);
        var results = Results(database);
        var before = (await results.GetAsync(id, CancellationToken.None))!;
        await using (var db = database.CreateContext())
        {
            var first = await db.InboundMessages.Where(i => i.CampaignId == id).MinAsync(i => i.Id);
            await db.InboundMessages.Where(i => i.Id == first).ExecuteDeleteAsync();
            // And one change after the marks, so the read has something to add.
            db.InboundMessages.Add(new InboundMessage("79990000001", "PORTAL", "ok", SentAt.AddHours(5), InboundKind.Reply) { ClientId = 1_999, CampaignId = id });
            await db.SaveChangesAsync();
        }

        var after = (await results.GetAsync(id, CancellationToken.None))!;

        // One reply gone, one new: the same count. Adding only the changes would have given one more.
        Assert.Equal(before.Total.Sent.Replied + before.Total.Control.Replied, after.Total.Sent.Replied + after.Total.Control.Replied);
        await results.InvalidateAsync(id, CancellationToken.None);
        Assert.Equal(Cells((await results.GetAsync(id, CancellationToken.None))!), Cells(after));
    }

    /// <summary>
    /// Readers never wait for the pass over every message row once something is kept: a reader gets the
    /// kept base part of a campaign still settling, and the attribution job refreshes it (older than a
    /// minute) and keeps a campaign that settled with nothing kept; one campaign per call, then none.
    /// </summary>
    [Fact]
    public async Task TheJobKeepsBaseParts_ASettledOneOnce_ASettlingOneEveryMinute_ReadersUseWhatIsKept()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await WriteClientsAsync(database, 1_000);
        var settled = await AddCampaignAsync(database, "Settled", Purchase7Days, at: SentAt);
        var settling = await AddCampaignAsync(database, "Settling", Purchase7Days, at: SentAt.AddDays(2));
        await PlantAsync(database, new PlantedCampaign(settled, 1, 500, SentAt));
        await PlantAsync(database, new PlantedCampaign(settling, 501, 1_000, SentAt.AddDays(2)));
        // Two days after the first one finished, a few hours after the second.
        var clock = new FixedTime(SentAt.AddDays(2).AddHours(5));
        var results = Results(database, clock);
        var read = (await results.GetAsync(settling, CancellationToken.None))!;
        await using (var db = database.CreateContext())
        {
            await db.Messages.Where(m => m.CampaignId == settling && m.ClientId == 501).ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Expired));
        }
        clock.Now = clock.Now.AddMinutes(2);

        // The reader gets the kept base (a receipt changed since, not seen); the job refreshes it.
        Assert.Equal(read.Total.Sent.Delivered, (await results.GetAsync(settling, CancellationToken.None))!.Total.Sent.Delivered);
        Assert.Equal(settled, await results.KeepOneAsync(CancellationToken.None));
        Assert.Equal(settling, await results.KeepOneAsync(CancellationToken.None));
        Assert.Null(await results.KeepOneAsync(CancellationToken.None));
        Assert.Equal(read.Total.Sent.Delivered - 1, (await results.GetAsync(settling, CancellationToken.None))!.Total.Sent.Delivered);

        await using var check = database.CreateContext();
        var kept = await check.CampaignResultSnapshots.SingleAsync(s => s.CampaignId == settled);
        var report = (await results.GetAsync(settled, CancellationToken.None))!;
        Assert.Equal(kept.ComputedAt, report.ComputedAt); // the reader got the kept cells
        Assert.Equal(500, report.Total.Sent.Recipients + report.Total.Control.Recipients);
    }

    private static string Cells(CampaignResultsReport report) =>
        string.Join("\n", new[] { report.Total }.Concat(report.Breakdown)
            .Select(r => $"{r.Dimension}|{r.Value}|{r.Sent with { Cost = Math.Round(r.Sent.Cost, 6), RevenueSquaresMinor = Math.Round(r.Sent.RevenueSquaresMinor) }}|{r.Control with { Cost = Math.Round(r.Control.Cost, 6), RevenueSquaresMinor = Math.Round(r.Control.RevenueSquaresMinor) }}"));
}
