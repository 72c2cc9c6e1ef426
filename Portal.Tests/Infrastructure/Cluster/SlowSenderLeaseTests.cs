using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>
/// Issue 13: a batch claimed before the speed limit spreads its submits must not be taken for
/// stranded by the sweeper while its sender is alive. The ratio of the reported case is kept (a
/// batch that takes several in-flight grace periods to submit), at a grace short enough for a test.
/// </summary>
public sealed class SlowSenderLeaseTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    public async Task SlowCampaign_OverSeveralGracePeriods_SendsEachMessageExactlyOnce(DatabaseProvider provider, bool rabbit)
    {
        // 40 messages at 4/s take 10 s: five grace periods of 2 s, and past the sweeper's 3 x grace.
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, settings: new()
        {
            ["Sending:InFlightGrace"] = "00:00:02",
            ["Sending:SweepInterval"] = "00:00:00.250",
        });
        await h.SeedClientsAsync(40);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = 4 });
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(90));
        // Let a late duplicate (a second sender still pacing through a re-chunked tail) reach the SMSC.
        await Task.Delay(3000);

        await using var db = h.Database.CreateContext();
        var messages = await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => new { m.Phone, m.Status, m.Resubmitted }).ToListAsync();
        Assert.Equal(40, messages.Count);
        Assert.All(messages, m => Assert.Equal(MessageStatus.Delivered, m.Status));
        Assert.DoesNotContain(messages, m => m.Resubmitted);
        var received = h.Smsc.Messages.GroupBy(m => "+" + m.To.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(40, received.Count);
        Assert.All(received, r => Assert.Equal(1, r.Value));
    }

    /// <summary>
    /// The reported case at its own scale of time: the embedded default's settings (grace 30 s, sweep
    /// every 10 s) and a campaign at 1 message/s, whose one batch takes 120 s to submit, past the
    /// sweeper's 3 x grace (90 s). Before the lease, the tail of the batch was re-chunked and sent again.
    /// Two minutes of waiting: in the chaos stage (<c>./test.sh --chaos</c>, docs/testing.md); CI runs
    /// <see cref="FourMessagesPerSecond_DefaultGraceScaledToAQuarter_BatchOutlastsTheSweeper_NothingSentTwice"/>.
    /// </summary>
    [Fact]
    [Trait("Category", "Chaos")]
    public Task OneMessagePerSecond_DefaultGrace_BatchOutlastsTheSweeper_NothingSentTwice() =>
        OneBatchOutlastsTheSweeperAsync(scale: 1);

    /// <summary>
    /// The same case with every time a quarter of the default's (grace 7.5 s, sweep every 2.5 s,
    /// 4 messages/s: the one batch of 120 takes 30 s, past the sweeper's 22.5 s): the same ratios,
    /// the same single batch (120 of <c>BatchSize</c> 250), in 30 s instead of 120.
    /// </summary>
    [Fact]
    public Task FourMessagesPerSecond_DefaultGraceScaledToAQuarter_BatchOutlastsTheSweeper_NothingSentTwice() =>
        OneBatchOutlastsTheSweeperAsync(scale: 4);

    /// <summary>Grace 30 s and sweep 10 s (the embedded default's) divided by <paramref name="scale"/>, 1 message/s times it, 120 messages.</summary>
    private static async Task OneBatchOutlastsTheSweeperAsync(int scale)
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new()
        {
            ["Sending:InFlightGrace"] = TimeSpan.FromSeconds(30.0 / scale).ToString("c", CultureInfo.InvariantCulture),
            ["Sending:SweepInterval"] = TimeSpan.FromSeconds(10.0 / scale).ToString("c", CultureInfo.InvariantCulture),
        });
        await h.SeedClientsAsync(120);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = scale });
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(300.0 / scale + 60));
        await Task.Delay(3000);

        await using var db = h.Database.CreateContext();
        Assert.Equal(0, await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.Resubmitted));
        Assert.Equal(120, await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.Status == MessageStatus.Delivered));
        Assert.Equal(120, h.Smsc.Statistics.SubmitSm);
        Assert.Equal(120, h.Smsc.Messages.Select(m => m.To.Value).Distinct().Count());
    }
}
