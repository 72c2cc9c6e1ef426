using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Analytics;

/// <summary>Shared set-up of the analytics tests: demo clients, campaigns with goals, planted history.</summary>
internal static class AnalyticsWorld
{
    public static readonly DateTime SentAt = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

    public static async Task WriteClientsAsync(TestDatabase database, long count)
    {
        await using var db = database.CreateContext();
        await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, count, SentAt), null, CancellationToken.None);
    }

    public static async Task<int> AddCampaignAsync(TestDatabase database, string name, CampaignGoal? goal, int controlPercent = 10, DateTime? at = null)
    {
        await using var db = database.CreateContext();
        var campaign = new Campaign(name, null, MessagePurpose.Advertising, "analyst@portal.local", at ?? SentAt, new CampaignSettings { ControlGroupPercent = controlPercent });
        campaign.SetGoal(goal, at ?? SentAt);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        await db.Campaigns.Where(c => c.Id == campaign.Id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Status, CampaignStatus.Completed)
            .SetProperty(c => c.StartedAt, at ?? SentAt)
            .SetProperty(c => c.FinishedAt, (at ?? SentAt).AddHours(1)));
        return campaign.Id;
    }

    public static async Task PlantAsync(TestDatabase database, PlantedCampaign planted)
    {
        await using var db = database.CreateContext();
        await PlantedHistoryWriter.WriteAsync(db, planted, CancellationToken.None);
    }

    public static ConversionAttributor Attributor(TestDatabase database) => new(database.Factory);

    public static CampaignResults Results(TestDatabase database, TimeProvider? time = null) =>
        new(database.Factory, Options.Create(new AnalyticsOptions()), time ?? new FixedTime(SentAt.AddDays(30)));

    internal sealed class FixedTime(DateTime utc) : TimeProvider
    {
        public DateTime Now { get; set; } = utc;
        public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
    }
}
