using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Analytics;
using Portal.Domain.Segments;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;
using Portal.Domain.Access;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;
using static Portal.Tests.Infrastructure.Analytics.AnalyticsWorld;

namespace Portal.Tests.Infrastructure.Analytics;

/// <summary>Issue 15 item 3: a campaign's response in and out of a saved audience, on both databases.</summary>
public class AudienceResultsTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task InAndOut_OfARegionAudience_MatchTheRegionRow_AndAddUpToTheTotal(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 8_000);
        var id = await AddCampaignAsync(database, "Split", new CampaignGoal(GoalEventTypes.Purchase, null, 168));
        await PlantAsync(database, new PlantedCampaign(id, 1, 8_000, SentAt, ReplyEvery: 40, OptOutEvery: 200));
        await Attributor(database).CatchUpAsync(1_000, CancellationToken.None);
        var report = (await Results(database).GetAsync(id, CancellationToken.None))!;
        var region = report.Breakdown.Where(r => r.Dimension == ResultDimensions.Region && r.Value.Length > 0).MaxBy(r => r.Sent.Recipients)!;
        var (store, audience) = Services(database);
        var (segmentId, _) = await store.SaveAsync(null, "One region", Rule(Criteria.Region, region.Value), null, "analyst@portal.local", CancellationToken.None);

        var rows = (await audience.GetAsync(id, segmentId, DepartmentScope.Everything, seesPersonalData: false, CancellationToken.None))!;

        Assert.Equal([AudienceResults.In, AudienceResults.Out], rows.Select(r => r.Value));
        var (inside, outside) = (rows[0], rows[1]);
        // The audience "region = R" is exactly the region row R, computed by a different statement.
        ResultCell Comparable(ResultCell c) => c with { Dimension = "", Value = "", Cost = Math.Round(c.Cost, 6) };
        Assert.Equal(Comparable(region.Sent), Comparable(inside.Sent));
        Assert.Equal(Comparable(region.Control), Comparable(inside.Control));
        Assert.Equal(region.Uplift.AbsoluteUplift, inside.Uplift.AbsoluteUplift);
        // In and out partition the recipients: every count adds up to the total.
        var t = report.Total;
        Assert.Equal(t.Sent.Recipients, inside.Sent.Recipients + outside.Sent.Recipients);
        Assert.Equal(t.Control.Recipients, inside.Control.Recipients + outside.Control.Recipients);
        Assert.Equal(t.Sent.Conversions, inside.Sent.Conversions + outside.Sent.Conversions);
        Assert.Equal(t.Control.Conversions, inside.Control.Conversions + outside.Control.Conversions);
        Assert.Equal(t.Sent.Replied, inside.Sent.Replied + outside.Sent.Replied);
        Assert.Equal(t.Sent.OptedOut, inside.Sent.OptedOut + outside.Sent.OptedOut);
        Assert.Equal(t.Sent.RevenueMinor, inside.Sent.RevenueMinor + outside.Sent.RevenueMinor);
        Assert.True(inside.Sent.Recipients > 0 && outside.Sent.Recipients > 0);
        // And the raw rows agree: recipients of the campaign whose client is in region R.
        await using var db = database.CreateContext();
        var raw = await db.Messages.CountAsync(m => m.CampaignId == id && m.Status != Portal.Domain.Messages.MessageStatus.Control
            && db.Clients.Any(c => c.Id == m.ClientId && c.RegionCode == region.Value));
        Assert.Equal(raw, inside.Sent.Recipients);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MaskedReader_PhoneAudience_Refused_AnotherDepartmentsAudience_NotFound(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 50);
        var id = await AddCampaignAsync(database, "Guarded", null);
        await PlantAsync(database, new PlantedCampaign(id, 1, 50, SentAt));
        var (store, audience) = Services(database);
        var (phoneSegment, _) = await store.SaveAsync(null, "By phone", Rule(Criteria.PhonePrefix, "+7900", RuleOperator.StartsWith), null, "lead@portal.local", CancellationToken.None);
        int department;
        await using (var db = database.CreateContext())
        {
            var row = new Portal.Domain.Departments.Department("Retail");
            db.Departments.Add(row);
            await db.SaveChangesAsync();
            department = row.Id;
        }
        var (theirs, _) = await store.SaveAsync(null, "Theirs", Rule(Criteria.Region, "MOW"), department, "lead@portal.local", CancellationToken.None);

        // A phone prefix audience would single out clients by a personal datum a masked analyst may not see.
        var refused = await Assert.ThrowsAsync<SegmentRuleException>(() =>
            audience.GetAsync(id, phoneSegment, DepartmentScope.Everything, seesPersonalData: false, CancellationToken.None));
        Assert.Contains(refused.Errors, e => e.Message == SegmentRuleAccess.PhoneCriterionRefused);
        Assert.NotNull(await audience.GetAsync(id, phoneSegment, DepartmentScope.Everything, seesPersonalData: true, CancellationToken.None));
        Assert.Null(await audience.GetAsync(id, theirs, new DepartmentScope(false, department + 1), seesPersonalData: true, CancellationToken.None));
    }

    private static SegmentRule Rule(string criterion, string value, RuleOperator op = RuleOperator.In) => new()
    {
        Root = new RuleGroup
        {
            Children = [new RuleCondition { Criterion = criterion, Operator = op, Value = op == RuleOperator.In ? new JsonArray(value) : JsonValue.Create(value) }],
        },
    };

    private static (SegmentStore, AudienceResults) Services(Portal.Tests.Support.TestDatabase database)
    {
        var segmentAudience = new SegmentAudience(database.Factory, TimeProvider.System);
        var store = new SegmentStore(database.Factory, segmentAudience, TimeProvider.System);
        return (store, new AudienceResults(database.Factory, store, segmentAudience));
    }
}
