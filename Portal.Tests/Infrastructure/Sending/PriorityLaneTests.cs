using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>Issue 19 / ADR 0010: the priority lane's gate, and a priority message overtaking a running campaign.</summary>
public sealed class PriorityLaneTests
{
    private static PriorityLane Lane(int slots, double reserved) =>
        new(Options.Create(new SendingOptions { PrioritySlots = slots, PriorityReservedShare = reserved }));

    [Fact]
    public async Task Gate_FreedSlotGoesToPriorityBeforeEarlierCampaignWaiters()
    {
        var lane = Lane(slots: 2, reserved: 0.5);
        var a = await lane.EnterAsync(1, priority: false, default);
        var b = await lane.EnterAsync(1, priority: false, default);
        var campaignWaiting = lane.EnterAsync(1, priority: false, default).AsTask();
        var priorityWaiting = lane.EnterAsync(1, priority: true, default).AsTask();
        Assert.False(campaignWaiting.IsCompleted);
        Assert.False(priorityWaiting.IsCompleted);

        a.Dispose();

        var p = await priorityWaiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(campaignWaiting.IsCompleted, "a campaign submit must not take the slot a priority submit waits for");
        b.Dispose();
        // Priority is in flight: campaigns may hold at most (1 - 0.5) x 2 = 1 slot, and hold none now.
        var c = await campaignWaiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, lane.PriorityPending);
        p.Dispose();
        c.Dispose();
        Assert.Equal(0, lane.PriorityPending);
    }

    [Fact]
    public async Task Gate_WhilePriorityPending_CampaignCappedToItsShare_FullAgainAfter()
    {
        var lane = Lane(slots: 4, reserved: 0.5);
        var priority = await lane.EnterAsync(7, priority: true, default);
        var c1 = await lane.EnterAsync(7, priority: false, default);
        var c2 = await lane.EnterAsync(7, priority: false, default);
        var c3 = lane.EnterAsync(7, priority: false, default).AsTask();
        await Task.Delay(50);
        Assert.False(c3.IsCompleted, "campaigns hold 2 of 4 slots while priority traffic is pending; one slot stays free for it");
        var p2 = await lane.EnterAsync(7, priority: true, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        priority.Dispose();
        p2.Dispose();
        await c3.WaitAsync(TimeSpan.FromSeconds(5));
        // Another provider has its own gate.
        using var other = await lane.EnterAsync(8, priority: false, default);
        c1.Dispose();
        c2.Dispose();
    }

    [Fact]
    public async Task Gate_CancelledPriorityWaiter_ReleasesCampaigns()
    {
        var lane = Lane(slots: 2, reserved: 0.5);
        var a = await lane.EnterAsync(1, priority: false, default);
        var b = await lane.EnterAsync(1, priority: false, default);
        using var cts = new CancellationTokenSource();
        var priority = lane.EnterAsync(1, priority: true, cts.Token).AsTask();
        var campaign = lane.EnterAsync(1, priority: false, default).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => priority);
        a.Dispose();
        using var c = await campaign.WaitAsync(TimeSpan.FromSeconds(5));
        b.Dispose();
        Assert.Equal(0, lane.PriorityPending);
    }

    /// <summary>
    /// A campaign of 4,000 sends at 300 submit_sm/s through PostgreSQL, RabbitMQ and the simulator over
    /// TCP; an API message accepted mid-way reaches the SMSC after at most the campaign submits already
    /// holding provider slots, ahead of the campaign's remaining chunks. Without the gate it waited behind
    /// every campaign submit queued in the connector (2 chunks x 250).
    /// </summary>
    [Fact]
    public async Task ApiMessage_DuringCampaign_SubmittedAheadOfRemainingChunks()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: true);
        await using (var db = h.Database.CreateContext())
        {
            var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
            row.SettingsJson = (ProviderSettings.Parse(row.SettingsJson) with { MaxPartsPerSecond = 300 }).ToJson();
            db.ApiKeys.Add(new ApiKey("bench", "prio0001", new string('0', 64), [ApiScopes.MessagesSend], 1000, "test", DateTime.UtcNow));
            await db.SaveChangesAsync();
        }
        await h.SeedClientsAsync(4_000);
        await h.StartAsync();
        int keyId;
        await using (var db = h.Database.CreateContext()) keyId = await db.ApiKeys.Select(k => k.Id).SingleAsync();
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Submitted) + c.GetValueOrDefault(MessageStatus.Delivered) >= 600, TimeSpan.FromMinutes(2));

        var acceptedAtSmsc = h.Smsc.Statistics.Accepted;
        var clock = Stopwatch.StartNew();
        var result = await h.Get<MessageSubmission>().SubmitAsync(keyId, null,
            [new SendItem(0, "+79000000001", null, "Your one-time code is 5521", null, null, Portal.Domain.Campaigns.MessagePurpose.Service, "Bank", null, null)],
            null, "hash", default);
        var id = Assert.IsType<SubmitResult.Accepted>(result).MessageIds.Single();
        Message? message = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await using var db = h.Database.CreateContext();
            message = await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
            if (message.Status is not (MessageStatus.Queued or MessageStatus.Submitting)) break;
            await Task.Delay(20);
        }
        var overtaken = h.Smsc.Statistics.Accepted - acceptedAtSmsc - 1;
        var counts = await h.CountsAsync(campaignId);

        Assert.True(message!.Status is MessageStatus.Submitted or MessageStatus.Delivered, $"priority message is {message.Status}");
        Assert.True(counts.GetValueOrDefault(MessageStatus.Queued) > 1000, "the campaign's remaining chunks must still be waiting: " + string.Join(", ", counts));
        // Counted from the start of acceptance to the status seen in the database, so the campaign keeps
        // sending (300/s) while the accept transaction and the polling run: on a loaded machine that alone
        // is ~250. Without the gate the message queued behind every campaign submit in the connector
        // (2 chunks x 250 = 500 at least); with it, behind at most the 64 slots' holders.
        Assert.True(overtaken < 400, $"{overtaken} campaign messages reached the SMSC between acceptance and the priority submit ({clock.ElapsedMilliseconds} ms)");
    }
}
