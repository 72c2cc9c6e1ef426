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
public sealed class AttributionAndResultsEdgeTests
{
    [Fact]
    public async Task TheAttributionLoop_BacksOffAfterAFailedPass_RetriesAndStopsCleanly()
    {
        await using var empty = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var options = Options.Create(new AnalyticsOptions { AttributionEnabled = true });
        var loop = new AttributionService(Attributor(empty), new CampaignResults(empty.Factory, options, TimeProvider.System), empty.Factory, options,
            TimeProvider.System, logs.CreateLogger<AttributionService>());

        await loop.StartAsync(default);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        // The first failure backs off 2 s and retries; the second backs off 4 s.
        while (!lines.Any(l => l.Contains("Attribution pass failed (2 in a row); retrying")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        // Stopped during the back-off: the loop ends, the host is not failed.
        await loop.StopAsync(default);

        Assert.Contains(lines, l => l.StartsWith("Warning") && l.Contains("Attribution pass failed (1 in a row); retrying"));
        Assert.Contains(lines, l => l.StartsWith("Warning") && l.Contains("Attribution pass failed (2 in a row); retrying"));
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

    [Fact]
    public async Task TwoReadersStoringTheSameComputation_TheLoserStillAnswers_TheWinnersRowStays()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await WriteClientsAsync(database, 40);
        var id = await AddCampaignAsync(database, "Race", new CampaignGoal(GoalEventTypes.Purchase, null, 168));
        await PlantAsync(database, new PlantedCampaign(id, 1, 40, SentAt, ReplyEvery: 50, OptOutEvery: 400));
        // Another reader's snapshot, inserted and not yet committed.
        await using var other = database.CreateContext();
        await using var tx = await other.Database.BeginTransactionAsync();
        other.CampaignResultSnapshots.Add(new CampaignResultSnapshot(id) { Stamp = "other-node", ComputedAt = SentAt });
        await other.SaveChangesAsync();

        var reading = Results(database).GetAsync(id, CancellationToken.None);
        await Bi.BiEdgeTests.WaitForLockWaitAsync(database.ConnectionString);
        Assert.False(reading.IsCompleted);
        await tx.CommitAsync();
        var report = (await reading.WaitAsync(TimeSpan.FromSeconds(60)))!;

        Assert.Equal(40, report.Total.Sent.Recipients + report.Total.Control.Recipients);
        await using var read = database.CreateContext();
        Assert.Equal("other-node", (await read.CampaignResultSnapshots.SingleAsync()).Stamp);
    }
}
