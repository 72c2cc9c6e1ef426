using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Inbound;

/// <summary>Issue 7, item 5: what one inbound SMS does to the database, on both providers.</summary>
public sealed class InboundProcessorTests
{
    private static readonly DateTime T0 = new(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);

    private sealed class RecordingSender : ISmsSender, IMessageRouter
    {
        public ConcurrentQueue<OutgoingSms> Sent { get; } = new();

        public Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct)
        {
            Sent.Enqueue(sms);
            return Task.FromResult(new SendResult(MessageStatus.Submitted, "p-" + sms.MessageId, 1, null));
        }

        public ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct) =>
            ValueTask.FromResult<RoutedProvider?>(new RoutedProvider(ProviderId, "fake", 0.5m, this));

        public int ProviderId { get; set; }
    }

    private sealed record Setup(TestDatabase Database, InboundProcessor Processor, RecordingSender Sender, long ClientId, long LatestMessageId, int CampaignId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Database.DisposeAsync();
    }

    private static async Task<Setup> CreateAsync(DatabaseProvider provider, Action<InboundOptions>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        var provider1 = new SmsProvider("Fake", ProviderKind.Smpp, "{}");
        db.Providers.Add(provider1);
        var client = new Client(PhoneNumber.Parse("+79161234567"), "Anna", null, T0.AddDays(-100));
        db.ConsentRecords.Add(client.SetConsent(ConsentPurpose.Advertising, true, T0.AddDays(-100), "crm", null));
        db.Clients.Add(client);
        var other = new Client(PhoneNumber.Parse("+79161234568"), "Boris", null, T0.AddDays(-100));
        db.Clients.Add(other);
        var older = new Campaign("Autumn", null, MessagePurpose.Advertising, "author", T0.AddDays(-10));
        var latest = new Campaign("Winter", null, MessagePurpose.Advertising, "author", T0.AddDays(-1));
        db.Campaigns.AddRange(older, latest);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message(older.Id, client.Id, client.Phone, T0.AddDays(-10)) { Status = MessageStatus.Delivered });
        var replied = new Message(latest.Id, client.Id, client.Phone, T0.AddHours(-2)) { Status = MessageStatus.Delivered };
        db.Messages.Add(replied);
        // A test send after it and a message after the reply arrived: neither is what the client answers.
        db.Messages.Add(new Message(null, client.Id, client.Phone, T0.AddHours(-1)) { Status = MessageStatus.Delivered });
        db.Messages.Add(new Message(latest.Id, client.Id, client.Phone, T0.AddHours(1)) { Status = MessageStatus.Queued });
        db.Messages.Add(new Message(latest.Id, other.Id, other.Phone, T0.AddHours(1)) { Status = MessageStatus.Queued });
        await db.SaveChangesAsync();

        var options = new InboundOptions { OptOutConfirmation = "Вы отписаны. START — подписаться снова.", OptInConfirmation = "Вы снова подписаны." };
        configure?.Invoke(options);
        var sender = new RecordingSender { ProviderId = provider1.Id };
        var processor = new InboundProcessor(database.Factory, sender, new ManualClockFor(T0), Options.Create(options), NullLogger<InboundProcessor>.Instance);
        return new Setup(database, processor, sender, client.Id, replied.Id, latest.Id);
    }

    private sealed class ManualClockFor(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    private static InboundSms Sms(string text, string from = "79161234567", string? id = null, int minutes = 0) =>
        new(null, from, "1234", text, T0.AddMinutes(minutes), id ?? Guid.NewGuid().ToString("N"));

    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task OptOut_ByStop_OptsOutWithdrawsConsentCancelsPendingConfirmsOnceAndLinksTheCampaign(DatabaseProvider provider)
    {
        await using var s = await CreateAsync(provider);
        await s.Processor.ProcessAsync(Sms("СТОП!"), default);
        await s.Processor.ProcessAsync(Sms("stop", minutes: 1), default);

        await using var db = s.Database.CreateContext();
        var client = await db.Clients.SingleAsync(c => c.Id == s.ClientId);
        Assert.Equal(T0, client.OptedOutAt);
        Assert.Equal(InboundProcessor.OptOutSource, client.OptOutReason);
        Assert.False(client.AdvertisingConsent.Granted);
        var record = await db.ConsentRecords.Where(r => r.ClientId == s.ClientId).OrderByDescending(r => r.Id).FirstAsync();
        Assert.False(record.Granted);
        Assert.Equal("sms-reply", record.Source);
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.ClientOptedOut && a.EntityId == s.ClientId.ToString()));

        var inbound = await db.InboundMessages.OrderBy(m => m.Id).ToListAsync();
        Assert.Equal(2, inbound.Count);
        Assert.All(inbound, m => Assert.Equal(InboundKind.OptOut, m.Kind));
        Assert.All(inbound, m => Assert.Equal("+79161234567", m.From));
        Assert.Equal(s.LatestMessageId, inbound[0].MessageId);
        Assert.Equal(s.CampaignId, inbound[0].CampaignId);
        Assert.NotNull(inbound[0].AutoReply);
        Assert.Null(inbound[1].AutoReply);

        // The client's queued campaign message is cancelled; the other client's is not.
        var pending = await db.Messages.Where(m => m.CreatedAt == T0.AddHours(1)).Select(m => new { m.ClientId, m.Status, m.ErrorCode }).ToListAsync();
        Assert.Contains(pending, m => m.ClientId == s.ClientId && m.Status == MessageStatus.Cancelled && m.ErrorCode == "opted-out");
        Assert.Contains(pending, m => m.ClientId != s.ClientId && m.Status == MessageStatus.Queued);

        // One confirmation, a non-campaign message row, from the number the client wrote to.
        var sent = Assert.Single(s.Sender.Sent);
        Assert.Equal("+79161234567", sent.To);
        Assert.Equal("1234", sent.From);
        var reply = await db.Messages.SingleAsync(m => m.Id == sent.MessageId);
        Assert.Null(reply.CampaignId);
        Assert.Equal(MessageStatus.Submitted, reply.Status);
        Assert.Equal(0.5m, reply.Cost);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task OptIn_AfterStop_LiftsTheOptOutAndRestoresTheConsentStopTook(DatabaseProvider provider)
    {
        await using var s = await CreateAsync(provider, o => o.AutoReplyInterval = TimeSpan.Zero);
        await s.Processor.ProcessAsync(Sms("ОТПИСКА"), default);
        await s.Processor.ProcessAsync(Sms("START", minutes: 5), default);

        await using var db = s.Database.CreateContext();
        var client = await db.Clients.SingleAsync(c => c.Id == s.ClientId);
        Assert.Null(client.OptedOutAt);
        Assert.True(client.AdvertisingConsent.Granted);
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.ClientOptedIn));
        Assert.Equal(InboundKind.OptIn, (await db.InboundMessages.OrderBy(m => m.Id).LastAsync()).Kind);
        Assert.Equal(["Вы отписаны. START — подписаться снова.", "Вы снова подписаны."], s.Sender.Sent.Select(x => x.Text));
    }

    [Fact]
    public async Task OptIn_ForAClientWhoNeverConsented_GrantsNothing()
    {
        await using var s = await CreateAsync(DatabaseProvider.Sqlite);
        await s.Processor.ProcessAsync(Sms("СТОП", from: "+79161234568"), default);
        await s.Processor.ProcessAsync(Sms("СТАРТ", from: "+79161234568", minutes: 1), default);
        await using var db = s.Database.CreateContext();
        var other = await db.Clients.SingleAsync(c => c.Phone == "+79161234568");
        Assert.Null(other.OptedOutAt);
        Assert.False(other.AdvertisingConsent.Granted);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SameExternalId_Twice_IsStoredOnce(DatabaseProvider provider)
    {
        await using var s = await CreateAsync(provider);
        await s.Processor.ProcessAsync(Sms("Спасибо", id: "ext-1"), default);
        await s.Processor.ProcessAsync(Sms("Спасибо", id: "ext-1"), default);
        await using var db = s.Database.CreateContext();
        var stored = Assert.Single(await db.InboundMessages.ToListAsync());
        Assert.Equal(InboundKind.Reply, stored.Kind);
        Assert.Null(stored.ReadAt);
        Assert.Empty(s.Sender.Sent);
    }

    [Fact]
    public async Task UnknownNumber_IsStoredWithoutClientAndGetsNoReply()
    {
        await using var s = await CreateAsync(DatabaseProvider.Sqlite);
        await s.Processor.ProcessAsync(Sms("STOP", from: "+79035550000"), default);
        await using var db = s.Database.CreateContext();
        var stored = Assert.Single(await db.InboundMessages.ToListAsync());
        Assert.Null(stored.ClientId);
        Assert.Null(stored.CampaignId);
        Assert.Equal(InboundKind.OptOut, stored.Kind);
        Assert.Empty(s.Sender.Sent);
    }

    [Fact]
    public async Task AutoReply_RepeatedKeyword_AnswersOncePerInterval()
    {
        await using var s = await CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = s.Database.CreateContext())
        {
            db.AutoReplyRules.Add(new AutoReplyRule("balance", "Ваш баланс в личном кабинете.", T0));
            db.AutoReplyRules.Add(new AutoReplyRule("HELP", "off", T0) { Enabled = false });
            await db.SaveChangesAsync();
        }
        await s.Processor.ProcessAsync(Sms("Balance?"), default);
        await s.Processor.ProcessAsync(Sms("balance", minutes: 2), default);
        await s.Processor.ProcessAsync(Sms("help", minutes: 3), default);
        await s.Processor.ProcessAsync(Sms("BALANCE", minutes: 11), default);
        Assert.Equal(2, s.Sender.Sent.Count);
        Assert.All(s.Sender.Sent, x => Assert.Equal("Ваш баланс в личном кабинете.", x.Text));
        await using var check = s.Database.CreateContext();
        Assert.All(await check.InboundMessages.ToListAsync(), m => Assert.Equal(InboundKind.Reply, m.Kind));
    }

    [Theory]
    [InlineData("79161234567", "+79161234567")]
    [InlineData("+79161234567", "+79161234567")]
    [InlineData("89161234567", "+79161234567")]
    [InlineData("9161234567", "+79161234567")]
    [InlineData("MTS-INFO", "MTS-INFO")]
    public void NormalizeSender_MakesE164WhenItCan(string from, string expected)
    {
        Assert.Equal(expected, InboundProcessor.NormalizeSender(from));
    }
}
