using Microsoft.EntityFrameworkCore;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 21: the settings are an owned value stored in the campaign's own columns; a changed value
/// (a new record) is written back, and queries on its parts still run in SQL.
/// </summary>
public class CampaignSettingsPersistenceTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Settings_RoundTrip_AChangeIsSaved_AndQueriesOnThemTranslate(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        CampaignCatalogTests.World w;
        await using (var db = database.CreateContext()) w = await CampaignCatalogTests.SeedAsync(db);
        var settings = new CampaignSettings
        {
            SegmentId = w.Everyone, ExcludedSegmentIds = [w.Vip], TemplateId = w.Template, Body = "Hi {{ client.first_name }}", SenderId = "PORTAL",
            ProviderId = w.Provider, ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now.AddMonths(1),
            QuietHoursEnabled = false, QuietFromMinute = 22 * 60, QuietToMinute = 7 * 60, SpeedLimit = 25, ValidityHours = 12, ControlGroupPercent = 15,
        }.WithGoal(new CampaignGoal(GoalEventTypes.Purchase | GoalEventTypes.Visit, 99.5m, 48));
        int id;
        await using (var db = database.CreateContext())
        {
            var campaign = new Campaign("Weekly", w.Sales, MessagePurpose.Service, "cm@portal.local", Now, settings);
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            id = campaign.Id;
        }

        await using (var db = database.CreateContext())
        {
            var loaded = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == id);
            Assert.True(loaded.Settings.SendsAs(settings));
            Assert.Equal(settings.Goal, loaded.Goal);
            Assert.Equal(1, await db.Campaigns.CountAsync(c => c.Settings.ScheduleKind == ScheduleKind.Recurring && c.Settings.SpeedLimit == 25
                && c.Settings.SegmentId == w.Everyone && c.Settings.GoalEvents != GoalEventTypes.None));

            var tracked = await db.Campaigns.SingleAsync(c => c.Id == id);
            tracked.ChangeSettings(tracked.Settings with { Body = "Changed", ExcludedSegmentIds = [], ControlGroupPercent = 0, ScheduleKind = ScheduleKind.Now }, null, Now);
            await db.SaveChangesAsync();
        }

        await using (var db = database.CreateContext())
        {
            var changed = await db.Campaigns.AsNoTracking().Where(c => c.Id == id)
                .Select(c => new { c.Settings.Body, c.Settings.ExcludedSegmentIds, c.Settings.ControlGroupPercent, c.Settings.Cron, c.Settings.SenderId }).SingleAsync();
            Assert.Equal(("Changed", 0, 0, (string?)null, (string?)"PORTAL"), (changed.Body, changed.ExcludedSegmentIds.Count, changed.ControlGroupPercent, changed.Cron, changed.SenderId));
        }
    }
}
