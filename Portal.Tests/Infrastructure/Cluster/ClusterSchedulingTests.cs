using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>Issue 13: every scheduling node fires every trigger; the database makes one run per firing, and nothing scheduled is lost.</summary>
public sealed class ClusterSchedulingTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task RecurringFiring_FiredByTwoNodesAtOnce_MakesExactlyOneRun(DatabaseProvider provider)
    {
        await using var a = await DispatchHarness.CreateAsync(provider, rabbit: false);
        await a.SeedClientsAsync(20);
        await a.StartAsync();
        var parentId = await a.CreateCampaignAsync(s => s with { ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 3 * * ?" });
        var firing = new DateTime(2026, 12, 2, 3, 0, 0, DateTimeKind.Utc);
        var nodeA = a.Get<CampaignRuns>();
        // Eight concurrent firings of the same trigger (sub-second jitter, as nodes' clocks differ):
        // what several scheduling nodes with in-memory triggers do at every firing.
        var fired = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => nodeA.FireAsync(parentId, firing.AddMilliseconds(Random.Shared.Next(0, 900)), default))));

        await using var db = a.Database.CreateContext();
        var runs = await db.Campaigns.Where(c => c.ParentCampaignId == parentId).Select(c => c.Id).ToListAsync();
        Assert.Single(runs);
        Assert.Single(fired, r => r is not null);
        await a.WaitUntilAsync(runs[0], DispatchHarness.AllFinal, TimeSpan.FromSeconds(60));
        var counts = await a.CountsAsync(runs[0]);
        Assert.Equal(20, counts.Values.Sum());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task CampaignScheduledOnAnotherNode_OrWhoseLaunchFailed_IsLaunchedByARunningSchedulerNode(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: new()
        {
            ["Scheduling:Enabled"] = "true",
            ["Scheduling:ReconcileInterval"] = "00:00:00.500",
        });
        await h.SeedClientsAsync(30);
        await h.StartAsync();
        await Task.Delay(1000);
        // Written by a web node with Scheduling:Enabled=false (nothing registers a trigger there), or a
        // one-shot whose trigger already fired and whose launch failed: Scheduled, due, no trigger here.
        var overdue = await h.CreateCampaignAsync();

        await h.WaitUntilAsync(overdue, c => c.GetValueOrDefault(MessageStatus.Delivered) == 30, TimeSpan.FromSeconds(60));
        await h.WaitForCampaignAsync(overdue, CampaignStatus.Completed);
    }
}
