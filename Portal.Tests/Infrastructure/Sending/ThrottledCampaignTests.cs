using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 12: an SMSC that accepts 50 submit_sm/s and answers 0x58 above it, a provider added with
/// no speed limit (the editor's default), two-part Cyrillic (UCS-2) messages. Before the fix most
/// of such a campaign ended Rejected (smpp:0x00000058), half-sent messages were Delivered with
/// Parts 0, and part 2's receipt could decide under "first part".
/// The simulator receipts part 1 of every message with one state and part 2 with the other, so a
/// message whose status came from the wrong part shows, and reports its done dates three hours
/// off, so a delivery time taken from the SMSC would fall before the submission.
/// </summary>
public sealed class ThrottledCampaignTests
{
    /// <summary>104 Cyrillic characters: two UCS-2 parts (67 characters each at most).</summary>
    private static readonly string Body = string.Concat(Enumerable.Repeat("Ваш заказ готов к выдаче. ", 4));

    private const int ContractedRate = 50;

    [Theory]
    [InlineData(DatabaseProvider.Postgres, true, 2_000)]
    [InlineData(DatabaseProvider.Sqlite, false, 2_000)]
    public async Task TwoPartCampaign_SmscContractedAt50PerSecond_NoSpeedLimit_EveryMessageWholeAndDecidedByPartOne(DatabaseProvider provider, bool rabbit, int clients)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, smsc =>
        {
            smsc.KeepMessages = false;
            smsc.Faults.ContractedRate = ContractedRate;
            smsc.Faults.ReceiptClockOffset = TimeSpan.FromHours(-3);
            smsc.ReceiptState = part => part?.Sequence == 2 ? MessageState.Undeliverable : MessageState.Delivered;
        });
        await h.SeedClientsAsync(clients);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: Body);

        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(clients * 2 / ContractedRate + 240));
        // Part 1's receipt may decide (FirstPart) while part 2 is still queued behind the SMSC's rate:
        // the campaign completes only once every chunk's results, all parts included, are recorded.
        await h.WaitForCampaignAsync(campaignId, Portal.Domain.Campaigns.CampaignStatus.Completed, TimeSpan.FromSeconds(120));

        Assert.True(h.Smsc.Statistics.Throttled > 0, "the SMSC should have throttled (no speed limit is configured)");
        // At least every part; more only if a message waiting behind the SMSC's rate was taken for
        // stranded and re-sent (flagged Resubmitted: Sending:InFlightGrace is 5 s in the harness).
        Assert.True(h.Smsc.Statistics.Accepted >= 2 * clients, $"SMSC accepted {h.Smsc.Statistics.Accepted} parts");
        await AssertWholeAsync(h, campaignId, clients, MessageStatus.Delivered, deliveredParts: 0b01, allowResubmitted: true);
        await using var db = h.Database.CreateContext();
        // The SMSC's done date is kept as reported (three hours off here), apart from the delivery time.
        var smscBeforeSubmit = await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.SmscDoneAt < m.SubmittedAt);
        Assert.Equal(clients, smscBeforeSubmit);
    }

    private static async Task AssertWholeAsync(DispatchHarness h, int campaignId, int clients, MessageStatus expected, long deliveredParts, bool allowResubmitted = false)
    {
        await using var db = h.Database.CreateContext();
        var messages = await db.Messages.AsNoTracking().Where(m => m.CampaignId == campaignId)
            .Select(m => new { m.Id, m.Status, m.ErrorCode, m.Parts, m.Cost, m.ProviderId, m.DeliveredParts, m.SubmittedAt, m.DoneAt, m.SmscDoneAt, m.Resubmitted })
            .ToListAsync();
        Assert.Equal(clients, messages.Count);
        var shape = string.Join(", ", messages.GroupBy(m => $"{m.Status}/{m.ErrorCode}/parts={m.Parts}").Select(g => $"{g.Key}: {g.Count()}"));
        // Every message ends as its deciding part's receipt says: none Rejected for throttling, none half-sent.
        Assert.True(messages.All(m => m.Status == expected), shape);
        Assert.All(messages, m => Assert.Equal(2, m.Parts));
        Assert.All(messages, m => Assert.Equal(0.70m, m.Cost));
        Assert.All(messages, m => Assert.Equal(h.ProviderId, m.ProviderId));
        Assert.All(messages, m => Assert.Equal(deliveredParts, m.DeliveredParts & deliveredParts));
        Assert.Equal(2 * clients, messages.Sum(m => m.Parts));
        if (!allowResubmitted) Assert.DoesNotContain(messages, m => m.Resubmitted);
        // Delivery time is Portal's clock: never before the submission, whatever the SMSC's clock says.
        Assert.All(messages, m => Assert.True(m.DoneAt >= m.SubmittedAt!.Value.AddSeconds(-1), $"done {m.DoneAt:O} before submitted {m.SubmittedAt:O}"));

        // Both parts' provider ids are stored, so any part's receipt finds its message on any node.
        var parts = await db.MessageParts.AsNoTracking().Where(p => db.Messages.Any(m => m.Id == p.MessageId && m.CampaignId == campaignId))
            .GroupBy(p => p.MessageId).Select(g => new { g.Key, Count = g.Count(), Max = g.Max(p => p.PartIndex) }).ToListAsync();
        Assert.Equal(clients, parts.Count);
        Assert.All(parts, p => Assert.True(p.Count == 2 && p.Max == 1));
    }
}
