using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;
using static Portal.Tests.Infrastructure.Analytics.AnalyticsWorld;

namespace Portal.Tests.Infrastructure.Analytics;

/// <summary>
/// Issue 21: the attribution loop backs off and keeps the host up when its database fails, and the
/// results' local-hour breakdown falls back to Moscow time for a zone this machine does not know.
/// </summary>
public sealed class AnalyticsEdgeTests
{
    [Fact]
    public async Task TheAttributionLoop_BacksOffAfterAFailedPass_AndStopsCleanly()
    {
        await using var empty = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var options = Options.Create(new AnalyticsOptions { AttributionEnabled = true });
        var loop = new AttributionService(Attributor(empty), new CampaignResults(empty.Factory, options, TimeProvider.System), empty.Factory, options,
            TimeProvider.System, logs.CreateLogger<AttributionService>());

        await loop.StartAsync(default);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!lines.Any(l => l.Contains("Attribution pass failed (1 in a row); retrying")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        // Stopped during the back-off (2 s after a first failure): the loop ends, the host is not failed.
        await loop.StopAsync(default);

        Assert.Contains(lines, l => l.StartsWith("Warning") && l.Contains("Attribution pass failed (1 in a row); retrying"));
        Assert.True(loop.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AZoneThisMachineDoesNotKnow_IsCountedInMoscowHours(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WriteClientsAsync(database, 40);
        var id = await AddCampaignAsync(database, "Unknown zone", new CampaignGoal(GoalEventTypes.Purchase, null, 168), controlPercent: 25);
        await PlantAsync(database, new PlantedCampaign(id, 1, 40, SentAt, ReplyEvery: 50, OptOutEvery: 400));
        await using (var db = database.CreateContext())
        {
            await db.Clients.ExecuteUpdateAsync(s => s.SetProperty(c => c.TimeZone, "Mars/Olympus_Mons"));
        }
        var sentHours = new HashSet<string>();
        await using (var db = database.CreateContext())
        {
            foreach (var m in await db.Messages.Where(m => m.CampaignId == id).Select(m => new { m.SubmittedAt, m.CreatedAt }).ToListAsync())
            {
                sentHours.Add(((((m.SubmittedAt ?? m.CreatedAt).Hour + 3) % 24)).ToString("D2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var report = (await Results(database).GetAsync(id, CancellationToken.None))!;

        Assert.Equal((CampaignStatus.Completed, 25), (report.Status, report.ControlGroupPercent));
        var hours = report.Breakdown.Where(r => r.Dimension == ResultDimensions.LocalHour).ToList();
        Assert.NotEmpty(hours);
        Assert.All(hours, h => Assert.Contains(h.Value, sentHours));
        Assert.Equal(report.Total.Sent.Recipients, hours.Sum(h => h.Sent.Recipients));
    }
}
