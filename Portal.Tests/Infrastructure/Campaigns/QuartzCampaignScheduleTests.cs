using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Quartz;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 21 (coverage): recurring campaigns on the real Quartz scheduler: scheduling registers a
/// cron trigger that fires runs; cancelling removes the trigger; a campaign cancelled elsewhere
/// loses its trigger at the next reconciliation, one unchanged keeps it.
/// </summary>
public sealed class QuartzCampaignScheduleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Recurring_FiresRunsOnItsCron_CancelAndReconcileRemoveTheTriggers()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new()
        {
            ["Sending:Enabled"] = "false",
            ["Scheduling:Enabled"] = "true",
            // The test reconciles by hand; the loader's own pass runs only at start.
            ["Scheduling:ReconcileInterval"] = "01:00:00",
        });
        await h.SeedClientsAsync(2);
        await h.StartAsync();
        var ends = DateTime.UtcNow.AddHours(1);
        CampaignSettings EverySecond(CampaignSettings s) => s with { ScheduleKind = ScheduleKind.Recurring, Cron = " * * * * * ? ", RecurrenceEndsAt = ends };
        var cancelledHere = await h.CreateCampaignAsync(EverySecond, schedule: false);
        var cancelledElsewhere = await h.CreateCampaignAsync(EverySecond, schedule: false);
        var operations = h.Get<ICampaignOperations>();
        await operations.ScheduleAsync(cancelledHere, Actors.Author);
        await operations.ScheduleAsync(cancelledElsewhere, Actors.Author);
        var scheduler = await h.Get<ISchedulerFactory>().GetScheduler();

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(QuartzCampaignSchedule.KeyFor(cancelledHere))));
        Assert.Equal("* * * * * ?", trigger.CronExpressionString);
        Assert.Equal(TimeZoneInfo.Utc, trigger.TimeZone);
        Assert.Equal(new DateTimeOffset(ends), trigger.EndTimeUtc!.Value, TimeSpan.FromSeconds(1));
        await WaitForRunsAsync(h, cancelledHere);
        await WaitForRunsAsync(h, cancelledElsewhere);

        // Both unchanged: a reconciliation keeps their triggers as they are.
        var loader = h.Services.GetServices<IHostedService>().OfType<CampaignScheduleLoader>().Single();
        await loader.ReconcileAsync(default);
        Assert.Equal(trigger.Key.Name, (await scheduler.GetTriggersOfJob(QuartzCampaignSchedule.KeyFor(cancelledHere))).Single().Key.Name);
        Assert.True(await ExistsAsync(scheduler, QuartzCampaignSchedule.KeyFor(cancelledElsewhere)));

        await operations.CancelAsync(cancelledHere, Actors.Operator);
        Assert.False(await ExistsAsync(scheduler, QuartzCampaignSchedule.KeyFor(cancelledHere)));

        await using (var db = h.Database.CreateContext())
        {
            await db.Campaigns.Where(c => c.Id == cancelledElsewhere).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Cancelled));
        }
        Assert.True(await ExistsAsync(scheduler, QuartzCampaignSchedule.KeyFor(cancelledElsewhere)));
        await loader.ReconcileAsync(default);
        Assert.False(await ExistsAsync(scheduler, QuartzCampaignSchedule.KeyFor(cancelledElsewhere)));
    }

    private static async Task<bool> ExistsAsync(IScheduler scheduler, JobKey key) => await scheduler.GetJobDetail(key) is not null;

    private static async Task WaitForRunsAsync(DispatchHarness h, int parentId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using var db = h.Database.CreateContext();
            if (await db.Campaigns.AnyAsync(c => c.ParentCampaignId == parentId)) return;
            Assert.True(DateTime.UtcNow < deadline, $"no run of recurring campaign {parentId} was fired");
            await Task.Delay(100);
        }
    }
}
