using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 7 item 4 end to end: three-part SMS through the SMSC simulator over loopback TCP, one
/// receipt per part, combined by the provider's receipt policy; id formats that differ between
/// submit_sm_resp and receipts, matched in memory and, after a restart, in SQL.
/// </summary>
public sealed class ReceiptPipelineTests
{
    /// <summary>GSM-7, about 360 characters with the name: three parts of at most 153.</summary>
    private const string LongBody = "Hello {{ client.first_name }}! "
        + "Your loyalty card has new offers this week: ten percent off every order above fifty roubles, free delivery on Sundays, "
        + "double points on household goods and a gift with every purchase in our new stores. Show this message at the till "
        + "or quote it in the app; the offer ends on Sunday night and cannot be combined with other discounts. Thank you!";

    private const int Clients = 40;

    [Theory]
    [InlineData(DatabaseProvider.Postgres, true, ReceiptPolicy.LastPart, 1, MessageStatus.Delivered, 0b100L)]
    [InlineData(DatabaseProvider.Sqlite, false, ReceiptPolicy.LastPart, 3, MessageStatus.Undeliverable, 0L)]
    [InlineData(DatabaseProvider.Postgres, true, ReceiptPolicy.AllParts, 0, MessageStatus.Delivered, 0b111L)]
    [InlineData(DatabaseProvider.Sqlite, false, ReceiptPolicy.AllParts, 2, MessageStatus.Undeliverable, null)]
    public async Task LongMessages_PartsCombinedByTheProvidersPolicy(DatabaseProvider provider, bool rabbit, ReceiptPolicy policy, int failingPart,
        MessageStatus expected, long? deliveredParts)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, smsc => smsc.ReceiptState = part =>
            part is { } p && p.Sequence == failingPart ? MessageState.Undeliverable : MessageState.Delivered);
        await ConfigureProviderAsync(h, s => s with { ReceiptPolicy = policy });
        await h.SeedClientsAsync(Clients);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: LongBody);

        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromMinutes(1));

        Assert.Equal(Clients * 3, h.Smsc.Statistics.Accepted);
        await using var db = h.Database.CreateContext();
        var messages = await db.Messages.AsNoTracking().Where(m => m.CampaignId == campaignId).ToListAsync();
        Assert.Equal(Clients, messages.Count);
        Assert.All(messages, m =>
        {
            Assert.Equal(3, m.Parts);
            Assert.Equal(expected, m.Status);
            Assert.Equal(expected == MessageStatus.Delivered, m.ErrorCode is null);
            Assert.NotNull(m.DoneAt);
            if (deliveredParts is { } bits) Assert.Equal(bits, m.DeliveredParts);
        });
        if (expected == MessageStatus.Undeliverable && policy == ReceiptPolicy.AllParts)
        {
            // The failed part never sets its bit, whatever arrived before it.
            Assert.All(messages, m => Assert.Equal(0, m.DeliveredParts & (1L << (failingPart - 1))));
        }
        Assert.Equal(0, await db.ReceiptOrphans.CountAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Sqlite, false)]
    public async Task HexResponsesDecimalReceipts_MatchInMemory_AndInSqlAfterARestart_AndOrphansAreReapplied(DatabaseProvider provider, bool rabbit)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, smsc =>
        {
            smsc.MessageIdFormat = MessageIdRadix.Hex;
            smsc.ReceiptIdFormat = MessageIdRadix.Decimal;
            smsc.ReceiptTlvs = false;
        });
        await ConfigureProviderAsync(h, s => s with { MessageIdFormat = MessageIdRadix.Hex, ReceiptIdFormat = MessageIdRadix.Decimal });
        await h.SeedClientsAsync(Clients);
        await h.StartAsync();

        // 1. Receipts while the connector remembers the ids: matched in memory.
        var first = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(first, default);
        await h.WaitUntilAsync(first, c => c.GetValueOrDefault(MessageStatus.Delivered) == Clients, TimeSpan.FromMinutes(1));

        // 2. Receipts after a restart: the new connector knows no id, so they match by provider id in SQL.
        h.Smsc.Options.ReceiptDelay = TimeSpan.FromSeconds(4);
        var second = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(second, default);
        await h.WaitUntilAsync(second, c => c.GetValueOrDefault(MessageStatus.Submitted) == Clients, TimeSpan.FromSeconds(30));
        await h.StopAsync();
        await h.StartAsync();
        await ConnectAsync(h);
        await h.WaitUntilAsync(second, c => c.GetValueOrDefault(MessageStatus.Delivered) == Clients, TimeSpan.FromMinutes(1));

        await using var db = h.Database.CreateContext();
        var ids = await db.Messages.Where(m => m.CampaignId == second).Select(m => m.ProviderMessageId!).ToListAsync();
        // Stored as the key both sides normalise to: the hex answer's value in decimal digits.
        Assert.All(ids, id => Assert.True(long.TryParse(id, out var n) && n > Clients, id));
        Assert.Equal(0, await db.ReceiptOrphans.CountAsync());

        // 3. An orphan whose message is recorded after it: the sweeper applies it and deletes it.
        var clientId = await db.Clients.Select(c => c.Id).FirstAsync();
        var now = DateTime.UtcNow;
        db.ReceiptOrphans.Add(new ReceiptOrphan(h.ProviderId, "987654321", MessageStatus.Expired, "003", now, now));
        await db.SaveChangesAsync();
        var late = new Message(null, clientId, "+79000000001", now) { Status = MessageStatus.Submitted, ProviderId = h.ProviderId, ProviderMessageId = "987654321", Parts = 1 };
        db.Messages.Add(late);
        await db.SaveChangesAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        MessageStatus status;
        while ((status = await db.Messages.Where(m => m.Id == late.Id).Select(m => m.Status).SingleAsync()) != MessageStatus.Expired && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.Equal(MessageStatus.Expired, status);
        Assert.Equal(0, await db.ReceiptOrphans.CountAsync());
    }

    private static async Task ConfigureProviderAsync(DispatchHarness h, Func<ProviderSettings, ProviderSettings> change)
    {
        await using var db = h.Database.CreateContext();
        var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
        row.SettingsJson = change(ProviderSettings.Parse(row.SettingsJson)).ToJson();
        await db.SaveChangesAsync();
    }

    /// <summary>Connections are opened by the first message routed; after a restart with nothing to send, open it like the router would.</summary>
    private static async Task ConnectAsync(DispatchHarness h)
    {
        await using var db = h.Database.CreateContext();
        var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
        await h.Get<ProviderConnections>().GetAsync(row.Id, row.Name, ProviderSettings.Parse(row.SettingsJson).ToJson(), default);
    }
}
