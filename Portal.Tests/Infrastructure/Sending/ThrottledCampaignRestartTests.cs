using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Pdus;
using Xunit.Abstractions;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 12, "the same with the sender restarted mid-run": <see cref="ThrottledCampaignTests"/>'s
/// campaign (2,000 two-part UCS-2 messages, an SMSC contracted at 50/s, no speed limit) with the
/// sender killed a quarter of the way and started again. A class of its own so that xunit runs it
/// beside the other (each takes minutes at the SMSC's rate).
/// </summary>
public sealed class ThrottledCampaignRestartTests(ITestOutputHelper output)
{
    // On 2026-12-02 it timed out once on SQLite with 6 of 2,000 messages left Submitted after the
    // restart: with the in-process bus the receipts forwarded to the in-memory queue (and already
    // answered to the SMSC) when the sender stopped were lost. They are now stored before the SMSC is
    // answered (ReceiptForwarder), so the SMSC delivers anything unanswered again to the next bind.
    [Theory]
    [InlineData(DatabaseProvider.Postgres, true, 2_000)]
    [InlineData(DatabaseProvider.Sqlite, false, 2_000)]
    public async Task TwoPartCampaign_SenderKilledAndRestarted_SecondPartsReceiptsStillApply(DatabaseProvider provider, bool rabbit, int clients)
    {
        // "Last part decides" and part 2 delivered: a message whose second part's receipt is not
        // applied after the restart stays Submitted (or ends Undeliverable from part 1).
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, smsc =>
        {
            smsc.KeepMessages = false;
            smsc.Faults.ContractedRate = ThrottledCampaignTests.ContractedRate;
            // Receipts come well after the restart, so every one is matched by the new process from
            // the database (MessageParts), not from the killed one's memory. Receipts a process takes
            // and dies with before publishing are issue 13's (deliver_sm answered after a durable publish).
            smsc.ReceiptDelay = TimeSpan.FromSeconds(20);
            smsc.ReceiptState = part => part?.Sequence == 2 ? MessageState.Delivered : MessageState.Undeliverable;
        });
        await using (var db = h.Database.CreateContext())
        {
            var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
            row.SettingsJson = (ProviderSettings.Parse(row.SettingsJson) with { ReceiptPolicy = ReceiptPolicy.LastPart }).ToJson();
            await db.SaveChangesAsync();
        }
        await h.SeedClientsAsync(clients);
        h.CaptureLogs = true;
        try
        {
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: ThrottledCampaignTests.Body);

        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Submitted) + c.GetValueOrDefault(MessageStatus.Delivered) >= clients / 4,
            TimeSpan.FromSeconds(300));
        await h.StopAsync(kill: true);
        await Task.Delay(2000);
        await h.StartAsync();
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(clients * 4 / ThrottledCampaignTests.ContractedRate + 240));
        await h.WaitForCampaignAsync(campaignId, Portal.Domain.Campaigns.CampaignStatus.Completed, TimeSpan.FromSeconds(120));

        await ThrottledCampaignTests.AssertWholeAsync(h, campaignId, clients, MessageStatus.Delivered, deliveredParts: 0b10, allowResubmitted: true);
        }
        finally
        {
            ThrottledCampaignTests.WriteWarnings(output, h);
        }
    }
}
