using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Smpp;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Inbound;

/// <summary>Issue 7, item 6: a STOP over SMPP from real peers, mid-campaign and from node-smpp's SMSC.</summary>
public sealed class OptOutMidCampaignTests
{
    [Fact]
    public async Task StopReply_MidCampaignOverSmpp_StopsThatClientsMessagesWithin60Seconds()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: true);
        await h.SeedClientsAsync(60);
        await h.StartAsync();
        // 5 SMS/s: all 60 are claimed in one batch at once, so only the re-check before each submit can stop the target.
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = 5 }, purpose: MessagePurpose.Advertising);
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) >= 3, TimeSpan.FromSeconds(30));

        const string target = "+79000000050";
        var watch = Stopwatch.StartNew();
        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync(target, "1234", "СТОП"));
        await using (var db = h.Database.CreateContext())
        {
            while (!await db.Clients.AnyAsync(c => c.Phone == target && c.OptedOutAt != null))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "the opt-out was not applied within 60 s");
                await Task.Delay(100);
            }
        }
        var optedOutAfter = watch.Elapsed;
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed, TimeSpan.FromSeconds(90));

        Assert.DoesNotContain(h.Smsc.Messages, m => "+" + m.To.Value == target);
        Assert.Equal(59, h.Smsc.Messages.Count);
        await using var check = h.Database.CreateContext();
        var message = await check.Messages.SingleAsync(m => m.CampaignId == campaignId && m.Phone == target);
        Assert.Equal(MessageStatus.Cancelled, message.Status);
        Assert.Equal("opted-out", message.ErrorCode);
        var inbound = await check.InboundMessages.SingleAsync();
        Assert.Equal(InboundKind.OptOut, inbound.Kind);
        Assert.Equal(h.ProviderId, inbound.ProviderId);
        Assert.Equal(target, inbound.From);
        Assert.Equal("СТОП", inbound.Text);
        Assert.Equal(campaignId, inbound.CampaignId);
        Assert.NotNull(inbound.ClientId);
        Assert.True(optedOutAfter < TimeSpan.FromSeconds(10), $"opt-out took {optedOutAfter}");
    }

    [Fact]
    public async Task OptedOutOrBlockedAfterLaunch_TheSenderCancelsTheirMessagesSetBased()
    {
        // A sender-less node launches; opt-outs arrive through the API (no cancel UPDATE there); then a sender starts.
        var settings = new Dictionary<string, string?> { ["Sending:Enabled"] = "false" };
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: settings);
        await h.SeedClientsAsync(20);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await using (var db = h.Database.CreateContext())
        {
            (await db.Clients.SingleAsync(c => c.Phone == "+79000000005")).OptOut(DateTime.UtcNow, "api");
            (await db.Clients.SingleAsync(c => c.Phone == "+79000000006")).Block(DateTime.UtcNow);
            await db.SaveChangesAsync();
        }
        await h.StopAsync();
        settings["Sending:Enabled"] = "true";
        await h.StartAsync();
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed, TimeSpan.FromSeconds(60));

        await using var check = h.Database.CreateContext();
        var refused = await check.Messages.Where(m => m.CampaignId == campaignId && m.Status == MessageStatus.Cancelled)
            .OrderBy(m => m.Phone).Select(m => new { m.Phone, m.ErrorCode }).ToListAsync();
        Assert.Equal(["+79000000005:opted-out", "+79000000006:inactive"], refused.Select(r => $"{r.Phone}:{r.ErrorCode}"));
        Assert.Equal(18, h.Smsc.Messages.Count);
        Assert.DoesNotContain(h.Smsc.Messages, m => m.To.Value is "79000000005" or "79000000006");
    }

    [Fact]
    public async Task StopReply_ToANodeThatHasNotSentYet_IsReceived()
    {
        // Connections used to open on the first routed message: an idle node never bound, and the
        // SMSC kept the client's STOP. The sender now connects every enabled provider at start.
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false);
        await h.SeedClientsAsync(2);
        await h.StartAsync();

        var watch = Stopwatch.StartNew();
        while (h.Smsc.Statistics.Binds == 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the sender did not bind to the provider without sending");
            await Task.Delay(50);
        }
        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync("+79000000001", "1234", "STOP"));
        await using var db = h.Database.CreateContext();
        while (!await db.Clients.AnyAsync(c => c.Phone == "+79000000001" && c.OptedOutAt != null))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(40), "the STOP was not applied");
            await Task.Delay(100);
        }
        Assert.Equal(0, await db.Messages.CountAsync(m => m.CampaignId != null));
    }

    [Fact]
    public async Task StopReply_LongMoInTwoParts_IsReassembledBeforeItIsRead()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false);
        await h.SeedClientsAsync(3);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed);

        var text = "Здравствуйте! " + string.Concat(Enumerable.Repeat("Подскажите, пожалуйста, когда придёт заказ. ", 3));
        Assert.Equal(CommandStatus.Ok, await h.Smsc.InjectMoAsync("+79000000002", "1234", text));
        await using var db = h.Database.CreateContext();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        InboundMessage? stored;
        while ((stored = await db.InboundMessages.AsNoTracking().SingleOrDefaultAsync()) is null && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.NotNull(stored);
        Assert.Equal(text, stored.Text);
        Assert.Equal(InboundKind.Reply, stored.Kind);
        Assert.Equal(campaignId, stored.CampaignId);
    }

    [Fact]
    public async Task NodeSmppSmsc_DeliverSmMo_ReachesTheProcessorAndOptsTheClientOut()
    {
        await using var node = NodeSmppProcess.Start("smsc-server.js", "--port", "0", "--system-id", "portal", "--password", "secret", "--mo", "Stop please");
        var port = (await node.WaitForAsync("listening")).GetProperty("port").GetInt32();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        int providerId;
        await using (var db = database.CreateContext())
        {
            db.Clients.Add(new Client(PhoneNumber.Parse("+79990001122"), "Node", null, DateTime.UtcNow.AddDays(-1)));
            var row = new SmsProvider("node-smpp", ProviderKind.Smpp, "{}");
            db.Providers.Add(row);
            await db.SaveChangesAsync();
            providerId = row.Id;
        }

        var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var sending = Options.Create(new SendingOptions { InboundQueue = "inbound-node-" + Guid.NewGuid().ToString("N")[..8] });
        var forwarder = new MoForwarder(bus, sending, Options.Create(new InboundOptions()), TimeProvider.System, NullLogger<MoForwarder>.Instance);
        var processor = new InboundProcessor(database.Factory, new NoRoute(), TimeProvider.System, Options.Create(new InboundOptions()), NullLogger<InboundProcessor>.Instance);
        await using var subscription = await bus.SubscribeAsync<InboundSms>(sending.Value.InboundQueue, processor.ProcessAsync);
        await using var connections = new ProviderConnections(
            new ReceiptForwarder(bus, sending, NullLogger<ReceiptForwarder>.Instance), NullLoggerFactory.Instance, forwarder);
        var settings = new ProviderSettings { Host = "127.0.0.1", Port = port, SystemId = "portal", Password = "secret", Binds = 1 };
        await connections.GetAsync(new ProviderRuntime(providerId, "node-smpp", 1, settings), default);

        await using var check = database.CreateContext();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await check.Clients.AnyAsync(c => c.OptedOutAt != null) && DateTime.UtcNow < deadline) await Task.Delay(100);
        var inbound = await check.InboundMessages.AsNoTracking().SingleAsync();
        Assert.Equal("+79990001122", inbound.From);
        Assert.Equal("Stop please", inbound.Text);
        Assert.Equal(InboundKind.OptOut, inbound.Kind);
        Assert.Equal(providerId, inbound.ProviderId);
        Assert.StartsWith("smpp:", inbound.ExternalId);
        Assert.Equal(InboundProcessor.OptOutSource, (await check.Clients.AsNoTracking().SingleAsync()).OptOutReason);
    }

    private sealed class NoRoute : IMessageRouter
    {
        public ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct) => ValueTask.FromResult<RoutedProvider?>(null);
    }
}
