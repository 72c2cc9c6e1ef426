using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;
using Xunit.Abstractions;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>
/// Issue 12/13: one chunk in the hands of two senders (redelivered by the broker, or re-cut by the
/// sweeper) while part of its batch was left in flight by a sender that stopped. The first sender
/// waits out the grace before taking those over; the claims it makes must be under a renewed lease
/// from the moment they are made, or the second sender takes them for stranded after the grace and
/// both submit them (the quarantined throttled-campaign test saw ~190 of 1,000 flagged Resubmitted).
/// </summary>
public sealed class SameChunkTwiceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task TwoSendersOnOneChunk_WithOrphansToWaitFor_SubmitEveryMessageOnce(DatabaseProvider provider)
    {
        const int Count = 20, Orphans = 5;
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: new()
        {
            ["Sending:InFlightGrace"] = "00:00:02",
            ["Sending:SweepInterval"] = "01:00:00", // no sweeper in the way: the two senders are the test's
        });
        await h.SeedClientsAsync(Count);
        await h.StartAsync();
        // Paced (5/s: 20 messages take 4 s), so claimed messages are still in flight when the other
        // sender's grace runs out, as in a campaign held to an SMSC's contracted rate.
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = 5 });
        long first, last;
        await using (var db = h.Database.CreateContext())
        {
            var now = DateTime.UtcNow;
            var clients = await db.Clients.OrderBy(c => c.Id).Select(c => new { c.Id, c.Phone }).ToListAsync();
            var messages = clients.Select(c => new Message(campaignId, c.Id, c.Phone, now) { Status = MessageStatus.Queued }).ToList();
            db.Messages.AddRange(messages);
            await db.SaveChangesAsync();
            first = messages[0].Id;
            last = messages[^1].Id;
            // A sender claimed the first five just now and stopped without submitting them.
            var orphanIds = messages.Take(Orphans).Select(m => m.Id).ToList();
            await db.Messages.Where(m => orphanIds.Contains(m.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Submitting)
                .SetProperty(m => m.SubmittedAt, now)
                .SetProperty(m => m.LeaseRenewedAt, now));
            await db.Campaigns.Where(c => c.Id == campaignId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CampaignStatus.Sending)
                .SetProperty(c => c.StartedAt, now));
        }

        var sender = h.Get<ChunkSender>();
        var chunk = new DispatchChunk(1, campaignId, first, last);
        var one = sender.ProcessAsync(chunk, CancellationToken.None);
        // The second copy arrives once the first sender has claimed the rest of its batch (before the
        // fix: at once, then it waited for the orphans), or after 1.5 s, still inside that wait (after it).
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            await using var db = h.Database.CreateContext();
            if (await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.Status == MessageStatus.Submitting) == Count) break;
            await Task.Delay(20);
        }
        output.WriteLine($"second copy after {watch.ElapsedMilliseconds} ms");
        var two = sender.ProcessAsync(chunk, CancellationToken.None);
        await Task.WhenAll(one, two);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(60));
        await Task.Delay(1000); // a late duplicate reaches the SMSC

        output.WriteLine($"smsc {h.Smsc.Messages.Count} resubmitted {sender.Resubmitted} submitted {sender.Submitted}");
        var received = h.Smsc.Messages.GroupBy(m => "+" + m.To.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Count, received.Count);
        Assert.All(received, r => Assert.Equal(1, r.Value));
        await using var check = h.Database.CreateContext();
        var flagged = await check.Messages.Where(m => m.CampaignId == campaignId && m.Resubmitted).Select(m => m.Id).OrderBy(id => id).ToListAsync();
        // Only the stopped sender's five are taken over (and flagged); none of the live claims.
        Assert.Equal(Enumerable.Range(0, Orphans).Select(i => first + i).ToList(), flagged);
    }
}
