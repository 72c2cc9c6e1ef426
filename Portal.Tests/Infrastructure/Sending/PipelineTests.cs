using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>Issue 6 item 6: whole campaigns through the real database, bus and SMSC simulator over TCP.</summary>
public sealed class PipelineTests
{
    [Theory]
    [InlineData(DatabaseProvider.Postgres, true, 10_000)]
    [InlineData(DatabaseProvider.Sqlite, false, 1_500)]
    public async Task Campaign_EndToEnd_EveryMessageFinalAndCountsAddUp(DatabaseProvider provider, bool rabbit, int clients)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit,
            smsc => smsc.Outcomes = new ReceiptOutcomeMix(Delivered: 90, Undeliverable: 6, Expired: 2, Rejected: 2));
        await h.SeedClientsAsync(clients);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { ControlGroupPercent = 10 });

        var launch = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        Assert.NotNull(launch);
        Assert.Equal(clients, launch.Messages);
        Assert.InRange(launch.Control, clients * 8 / 100, clients * 12 / 100);
        Assert.Equal((clients - launch.Control + 999) / 1000, launch.Chunks);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromMinutes(3));
        // Final is not recorded: a receipt can make a message final before its batch's submit results
        // (parts, cost) are written; the campaign completes only once they are.
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed);

        var counts = await h.CountsAsync(campaignId);
        Assert.Equal(clients, counts.Values.Sum());
        Assert.Equal(launch.Control, counts.GetValueOrDefault(MessageStatus.Control));
        var sent = clients - launch.Control;
        var receipted = counts.GetValueOrDefault(MessageStatus.Delivered) + counts.GetValueOrDefault(MessageStatus.Undeliverable)
            + counts.GetValueOrDefault(MessageStatus.Expired) + counts.GetValueOrDefault(MessageStatus.Rejected);
        Assert.True(sent == receipted, $"{receipted} of {sent} receipted; " + string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}")));
        Assert.InRange(counts.GetValueOrDefault(MessageStatus.Delivered), sent * 85 / 100, sent * 95 / 100);
        if (sent != h.Smsc.Statistics.Accepted)
        {
            await using var check = h.Database.CreateContext();
            var errors = await check.Messages.Where(m => m.CampaignId == campaignId && m.ErrorCode != null)
                .GroupBy(m => new { m.Status, m.ErrorCode }).Select(g => $"{g.Key.Status}/{g.Key.ErrorCode}={g.Count()}").ToListAsync();
            Assert.Fail($"SMSC accepted {h.Smsc.Statistics.Accepted} of {sent}; " + string.Join(", ", errors));
        }
        // Every recipient got exactly one SMS.
        Assert.Equal(sent, h.Smsc.Messages.Select(m => m.To.Value).Distinct().Count());

        var progress = await h.Get<ICampaignOperations>().GetProgressAsync(campaignId);
        Assert.Equal(clients, progress.Total);
        Assert.Equal(progress.Total, progress.Final);
        if (sent != progress.Parts)
        {
            // Seen once in ~6 loaded runs (issue 6 note): say where the extra parts are.
            await using var check = h.Database.CreateContext();
            var shape = await check.Messages.Where(m => m.CampaignId == campaignId)
                .GroupBy(m => new { m.Status, m.Parts, m.Resubmitted }).Select(g => $"{g.Key.Status}/parts={g.Key.Parts}/resubmitted={g.Key.Resubmitted}: {g.Count()}").ToListAsync();
            Assert.Fail($"{progress.Parts} parts for {sent} one-part messages; " + string.Join(", ", shape));
        }
        Assert.Equal(sent * 0.35m, progress.Cost);
        Assert.Contains(progress.Errors, e => e.Count > 0);

        await using var db = h.Database.CreateContext();
        var chunks = await db.MessageChunks.Where(c => c.CampaignId == campaignId).ToListAsync();
        Assert.All(chunks, c => Assert.Equal(MessageChunkStatus.Done, c.Status));
        Assert.Equal(sent, chunks.Sum(c => c.Count));
    }
}
