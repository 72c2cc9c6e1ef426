using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// The in-process bus loses its queues with the process, so a node's start publishes the open chunks
/// again; but a launch that beat that recovery at start-up (CI: 240 ms apart) has its chunks in this
/// process's queues already, and publishing them twice made every chunk go through a sender twice.
/// </summary>
public sealed class InProcessRecoveryTests
{
    [Fact]
    public async Task Recovery_RepublishesOnlyTheChunksPublishedBeforeTheNodeStarted()
    {
        // No sender: the queue keeps what is published, so the test can count it.
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false,
            settings: new() { ["Sending:Enabled"] = "false", ["Sending:ChunkSize"] = "10" });
        await h.SeedClientsAsync(30);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        var beforeLaunch = DateTime.UtcNow.AddMilliseconds(-1);
        var launch = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        Assert.Equal(3, launch!.Chunks);
        var bus = h.Get<IMessageBus>();
        var queue = h.QueuePrefix + ".chunks";
        Assert.Equal(3, (await bus.GetStatsAsync(queue)).Ready);

        // Started before the launch: the launch's chunks are this process's own, nothing is published.
        await h.Get<DispatchSweeper>().RecoverAsync(beforeLaunch, default);
        Assert.Equal(3, (await bus.GetStatsAsync(queue)).Ready);

        // Started after it (the launch was the previous process's): all three again.
        await h.Get<DispatchSweeper>().RecoverAsync(DateTime.UtcNow, default);
        Assert.Equal(6, (await bus.GetStatsAsync(queue)).Ready);
    }
}
