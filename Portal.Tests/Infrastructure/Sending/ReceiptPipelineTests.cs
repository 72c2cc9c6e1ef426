using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Infrastructure.Smpp;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 7 item 4 end to end: three-part SMS through the SMSC simulator over loopback TCP, one
/// receipt per part, combined by the provider's receipt policy; id formats that differ between
/// submit_sm_resp and receipts, matched in memory and stored as the key receipts carry to SQL.
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
    // DeliveredParts counts every delivered part whatever the policy (issue 12; it used to hold only the deciding part's bit).
    [InlineData(DatabaseProvider.Postgres, true, ReceiptPolicy.LastPart, 1, MessageStatus.Delivered, 0b110L)]
    [InlineData(DatabaseProvider.Sqlite, false, ReceiptPolicy.LastPart, 3, MessageStatus.Undeliverable, 0b011L)]
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
        // A failing part's receipt makes the message final at once, often before the batch's submit
        // results (parts, cost) are written: the campaign completes only once they are. Reading at
        // "all final" alone saw Parts 0 under load.
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed, TimeSpan.FromMinutes(1));

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
    public async Task HexResponsesDecimalReceipts_MatchedByTheRegistrysFormats_AndOrphansAreReappliedByTheSweeper(DatabaseProvider provider, bool rabbit)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit, smsc =>
        {
            smsc.MessageIdFormat = MessageIdRadix.Hex;
            smsc.ReceiptIdFormat = MessageIdRadix.Decimal;
            smsc.ReceiptTlvs = false;
        }, new Dictionary<string, string?> { ["Sending:ReceiptOrphanInterval"] = "00:00:00.500" });
        await ConfigureProviderAsync(h, s => s with { MessageIdFormat = MessageIdRadix.Hex, ReceiptIdFormat = MessageIdRadix.Decimal });
        await h.SeedClientsAsync(Clients);
        await h.StartAsync();

        // Before the formats reached the connector, "0000001A" and "26" never met: every message stayed Submitted.
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == Clients, TimeSpan.FromMinutes(1));

        await using var db = h.Database.CreateContext();
        // A receipt the connector matches from memory can make a message Delivered before its batch's
        // submit results (with the provider ids) are written: wait for those too (CI flake, 2026-12-05).
        var recorded = DateTime.UtcNow.AddSeconds(30);
        while (await db.Messages.AnyAsync(m => m.CampaignId == campaignId && m.ProviderMessageId == null) && DateTime.UtcNow < recorded)
        {
            await Task.Delay(100);
        }
        var ids = await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => m.ProviderMessageId!).ToListAsync();
        // Stored as the key both sides normalise to (the hex answer's value in decimal digits), so
        // receipts the connector no longer remembers match in SQL too: 1..40 once, never "00000029".
        Assert.Equal(Enumerable.Range(1, Clients).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), ids.Order());
        Assert.Equal(0, await db.ReceiptOrphans.CountAsync());

        // An orphan whose message is recorded after it: the host's sweeper applies it and deletes it.
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
        Assert.Equal("003", await db.Messages.Where(m => m.Id == late.Id).Select(m => m.ErrorCode).SingleAsync());
        Assert.Equal(0, await db.ReceiptOrphans.CountAsync());
    }

    /// <summary>
    /// The key a sender stores (SmppSmsSender) equals the one an unmatched receipt carries (the
    /// database path after a restart): the connector here matches nothing in memory, like a new one.
    /// </summary>
    [Theory]
    [InlineData(MessageIdRadix.Hex, MessageIdRadix.Decimal)]
    [InlineData(MessageIdRadix.Decimal, MessageIdRadix.Hex)]
    [InlineData(MessageIdRadix.Hex, MessageIdRadix.Hex)]
    [InlineData(MessageIdRadix.Text, MessageIdRadix.Text)]
    public async Task StoredProviderId_EqualsTheUnmatchedReceiptsId(MessageIdRadix response, MessageIdRadix receipt)
    {
        var settings = new ProviderSettings { MessageIdFormat = response, ReceiptIdFormat = receipt };
        await using var rig = await SmppTestRig.StartAsync(
            simulator: o => { o.MessageIdFormat = response; o.ReceiptIdFormat = receipt; o.ReceiptTlvs = false; },
            connector: o => { o.MessageIdMatching = settings.ToConnectorOptions("test").MessageIdMatching; o.MatchReceipts = false; });
        var sender = new SmppSmsSender(rig.Connector);

        var results = new List<SendResult>();
        for (var i = 0; i < 20; i++) results.Add(await sender.SendAsync(new OutgoingSms(i, "Portal", "+7999000" + i.ToString("D4"), "Hello", null), default));
        var receipts = await rig.ReadReceiptsAsync(20, TimeSpan.FromSeconds(5));

        Assert.All(results, r => Assert.Equal(MessageStatus.Submitted, r.Status));
        Assert.All(receipts, r => Assert.Null(r.Reference));
        Assert.Equal(results.Select(r => r.ProviderMessageId!).Order(), receipts.Select(r => r.NormalizedMessageId).Order());
    }

    [Fact]
    public async Task MatchedReceipts_CarryPartIndexAndCount()
    {
        await using var rig = await SmppTestRig.StartAsync();

        await rig.Connector.SubmitAsync(SmppTestRig.Sms(1, new string('a', 400)));
        var receipts = await rig.ReadReceiptsAsync(3, TimeSpan.FromSeconds(5));

        Assert.Equal([0, 1, 2], receipts.Select(r => r.PartIndex ?? -1).Order());
        Assert.All(receipts, r => Assert.Equal(3, r.PartCount));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Sqlite, false)]
    public async Task Outbind_ReceiptsOverTheConnectionTheSmscOpened_AreApplied_AndAWrongPasswordAppliesNothing(DatabaseProvider provider, bool rabbit)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit);
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        // Transmitter binds get no receipts: they can only come over the outbind connection.
        await ConfigureProviderAsync(h, s => s with { BindMode = BindMode.Transmitter, OutbindPort = port, OutbindAddress = "127.0.0.1" });
        await h.SeedClientsAsync(Clients);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Submitted) == Clients, TimeSpan.FromMinutes(1));
        var esme = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);

        await h.Smsc.OutbindAsync(esme, "test", "wrong");
        await Task.Delay(1000);
        Assert.Equal(Clients, (await h.CountsAsync(campaignId)).GetValueOrDefault(MessageStatus.Submitted));
        Assert.Equal(0, h.Smsc.Statistics.Receipts);

        await h.Smsc.OutbindAsync(esme, "test", "x");
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == Clients, TimeSpan.FromMinutes(1));
    }

    private static async Task ConfigureProviderAsync(DispatchHarness h, Func<ProviderSettings, ProviderSettings> change)
    {
        await using var db = h.Database.CreateContext();
        var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
        row.SettingsJson = change(ProviderSettings.Parse(row.SettingsJson)).ToJson();
        await db.SaveChangesAsync();
    }
}
