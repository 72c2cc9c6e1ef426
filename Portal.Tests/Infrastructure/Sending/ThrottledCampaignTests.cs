using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Pdus;
using Xunit.Abstractions;

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
public sealed class ThrottledCampaignTests(ITestOutputHelper output)
{
    /// <summary>104 Cyrillic characters: two UCS-2 parts (67 characters each at most).</summary>
    internal static readonly string Body = string.Concat(Enumerable.Repeat("Ваш заказ готов к выдаче. ", 4));

    internal const int ContractedRate = 50;

    // The acceptance test, at the size: 2 parts per message at 50/s is 25 messages/s,
    // so 2,000 messages take 80 s at best (2-3 min under load). The restart case is a class of its own
    // (ThrottledCampaignRestartTests) so the two run side by side in ./test.sh.
    // The two rare defects it showed at 2,000 on 2026-12-02 (DoneAt before SubmittedAt: the submit
    // lease renewed SubmittedAt; receipts lost at a stop on the in-process bus) each have a
    // deterministic test in ReceiptDurabilityTests.
    // Out of quarantine on 2026-12-03 (it had 182 and 193 of 1,000 taken over with no stop on
    // PostgreSQL + RabbitMQ): a sender's claims sat unrenewed while it waited for orphans, and a second
    // sender on the same chunk took them for stranded (SameChunkTwiceTests, fixed in ChunkSender). It
    // then passed 3 runs of 3 on a quiet machine and 3 of 3 at load average 50-72.
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
        h.CaptureLogs = true;
        try
        {
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: Body);

        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(clients * 2 / ContractedRate + 240));
        // Part 1's receipt may decide (FirstPart) while part 2 is still queued behind the SMSC's rate:
        // the campaign completes only once every chunk's results, all parts included, are recorded.
        await h.WaitForCampaignAsync(campaignId, Portal.Domain.Campaigns.CampaignStatus.Completed, TimeSpan.FromSeconds(120));

        Assert.True(h.Smsc.Statistics.Throttled > 0, "the SMSC should have throttled (no speed limit is configured)");
        await AssertWholeAsync(h, campaignId, clients, MessageStatus.Delivered, deliveredParts: 0b01);
        // Every part once: nothing re-sent (a message re-sent whole would double its part 1).
        Assert.Equal(2 * clients, h.Smsc.Statistics.Accepted);
        await using var db = h.Database.CreateContext();
        // The SMSC's done date is kept as reported (three hours off here), apart from the delivery time.
        var smscBeforeSubmit = await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.SmscDoneAt < m.SubmittedAt);
        Assert.Equal(clients, smscBeforeSubmit);
        }
        finally
        {
            WriteWarnings(output, h);
        }
    }

    /// <summary>The run's warnings and errors, first line each, counted: shown with a failure (no phones or texts are logged).</summary>
    internal static void WriteWarnings(ITestOutputHelper output, DispatchHarness h)
    {
        foreach (var line in h.Logs.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal))
            .Select(l => l.Split('\n')[0]).GroupBy(l => l).Select(g => $"{g.Count()} x {g.Key}").Take(50))
        {
            output.WriteLine(line);
        }
    }

    internal static async Task AssertWholeAsync(DispatchHarness h, int campaignId, int clients, MessageStatus expected, long deliveredParts, bool allowResubmitted = false)
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
