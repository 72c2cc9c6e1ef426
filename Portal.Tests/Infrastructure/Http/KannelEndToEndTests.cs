using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// Issue 7: the Kannel preset against a real Kannel. A message leaves through
/// <see cref="HttpSmsSender"/>, Kannel relays it over SMPP to the simulator, and the simulator's
/// receipt comes back through Kannel's dlr-url to the real receipts endpoint and the pipeline.
/// </summary>
public sealed class KannelEndToEndTests(KannelFixture kannel) : IClassFixture<KannelFixture>
{
    [Theory]
    [InlineData("+79161110001", "Привет! Ваш код 4821 — «Портал»", 60)]
    [InlineData("+79161110002", "Hello & welcome: 100% off? #1", null)]
    public async Task Send_ThroughKannel_SimulatorGetsTheText_ReceiptComesBackThroughTheDlrUrl(string phone, string text, int? validityMinutes)
    {
        var messageId = await kannel.SubmittedMessageAsync(phone);
        var router = kannel.App.Services.GetRequiredService<IMessageRouter>();
        var routed = await router.RouteAsync(null, phone, default);
        Assert.NotNull(routed);
        Assert.Equal(kannel.ProviderId, routed.ProviderId);

        var result = await routed.Sender.SendAsync(new OutgoingSms(messageId, "Portal", phone,
            text, validityMinutes is int m ? TimeSpan.FromMinutes(m) : null), default);

        Assert.True(result.Status == MessageStatus.Submitted, $"{result}\n{kannel.Kannel.LogTail()}");
        Assert.Equal(1, result.Parts);
        var delivered = await kannel.WaitForAsync(messageId, m => m.Status != MessageStatus.Submitted);
        Assert.Equal(MessageStatus.Delivered, delivered.Status);
        Assert.NotNull(delivered.DoneAt);
        var received = Assert.Single(kannel.Simulator.Messages, s => s.To.Value.EndsWith(phone[1..], StringComparison.Ordinal));
        Assert.Equal(text, received.Text);
        Assert.Equal("Portal", received.From.Value);
        // UCS-2 (data_coding 8) for Cyrillic, GSM 7-bit otherwise.
        if (text.Any(c => c is >= 'А' and <= 'я')) Assert.Equal(8, received.DataCoding);
        else Assert.NotEqual(8, received.DataCoding);
    }

    [Fact]
    public async Task LongCyrillicText_KannelSendsConcatenatedParts_MessageDelivered()
    {
        const string phone = "+79161110003";
        var text = string.Concat(Enumerable.Repeat("Длинное сообщение по-русски, ", 6)).TrimEnd(' ', ',') + ".";
        var messageId = await kannel.SubmittedMessageAsync(phone);
        var routed = await kannel.App.Services.GetRequiredService<IMessageRouter>().RouteAsync(null, phone, default);

        var result = await routed!.Sender.SendAsync(new OutgoingSms(messageId, "Portal", phone, text, null), default);

        Assert.Equal(MessageStatus.Submitted, result.Status);
        Assert.Equal(SmsLength.Measure(text).Parts, result.Parts);
        Assert.Equal(3, result.Parts);
        Assert.Equal(MessageStatus.Delivered, (await kannel.WaitForAsync(messageId, m => m.Status != MessageStatus.Submitted)).Status);
        var parts = kannel.Simulator.Messages.Where(s => s.To.Value.EndsWith(phone[1..], StringComparison.Ordinal)).ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.Equal(8, p.DataCoding));
        Assert.Equal(text, string.Concat(parts.OrderBy(p => p.Part!.Value.Sequence).Select(p => p.Text)));
    }

    [Fact]
    public async Task Campaign_OverTheKannelProvider_EveryMessageDelivered_TextsArriveAtTheSimulator()
    {
        const int count = 20;
        var contexts = kannel.App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        int campaignId;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < count; i++)
            {
                var client = new Client(PhoneNumber.Parse($"+7926{i + 1:D7}"), "Клиент" + i, null, at);
                client.SetConsent(ConsentPurpose.Advertising, true, at, "test", null);
                db.Clients.Add(client);
            }
            var now = DateTime.UtcNow;
            // Only this test's clients: the other tests of the fixture add their own.
            var rule = new SegmentRule
            {
                Root = new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.PhonePrefix, Operator = RuleOperator.StartsWith, Value = System.Text.Json.Nodes.JsonValue.Create("+7926") }] },
            };
            var segment = new Segment("Kannel audience", null, SegmentRuleJson.Serialize(rule), "test", now);
            db.Segments.Add(segment);
            await db.SaveChangesAsync();
            var campaign = new Campaign("Kannel campaign", null, MessagePurpose.Service, "author", now, new CampaignSettings { SegmentId = segment.Id, Body = "Здравствуйте, {{ client.first_name }}! Скидка 10%.", SenderId = "Portal", QuietHoursEnabled = false, ProviderId = kannel.ProviderId });
            campaign.Schedule(now, now);
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            campaignId = campaign.Id;
        }

        var launch = await kannel.App.Services.GetRequiredService<CampaignLauncher>().LaunchAsync(campaignId, default);
        Assert.Equal(count, launch!.Messages);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        List<Message> rows;
        do
        {
            await Task.Delay(200);
            await using var db = await contexts.CreateDbContextAsync();
            rows = await db.Messages.AsNoTracking().Where(m => m.CampaignId == campaignId).ToListAsync();
        }
        while (rows.Any(r => r.Status != MessageStatus.Delivered) && DateTime.UtcNow < deadline);

        Assert.True(rows.All(r => r.Status == MessageStatus.Delivered),
            string.Join(", ", rows.GroupBy(r => r.Status).Select(g => $"{g.Key} {g.Count()}")) + "\n" + kannel.Kannel.LogTail());
        Assert.All(rows, r => Assert.Equal(kannel.ProviderId, r.ProviderId));
        Assert.Equal(count * 0.5m, rows.Sum(r => r.Cost));
        var texts = kannel.Simulator.Messages.Where(m => m.To.Value.Contains("926", StringComparison.Ordinal)).Select(m => m.Text).ToList();
        Assert.Equal(count, texts.Count);
        Assert.All(texts, t => Assert.Matches("^Здравствуйте, Клиент[0-9]+! Скидка 10%\\.$", t));
    }

    [Fact]
    public async Task Receipt_SentTwiceThenContradicted_FirstFinalStatusStays()
    {
        var messageId = await kannel.SubmittedMessageAsync("+79161110009");
        using var http = new HttpClient();
        var url = $"{kannel.App.RootUrl}/api/providers/{kannel.ProviderId}/receipts?id={messageId}&token={ProviderCallbacks.UrlToken(KannelFixture.CallbackSecret, ProviderCallbacks.ReceiptScope(kannel.ProviderId, messageId.ToString(System.Globalization.CultureInfo.InvariantCulture)))}&smsc_id=abc";

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "&type=8")).StatusCode); // SMSC submit: not final
        Assert.Equal(MessageStatus.Submitted, (await kannel.MessageAsync(messageId)).Status);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "&type=1")).StatusCode);
        var delivered = await kannel.WaitForAsync(messageId, m => m.Status != MessageStatus.Submitted);
        Assert.Equal(MessageStatus.Delivered, delivered.Status);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "&type=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "&type=2&answer=" + Uri.EscapeDataString("id:1 stat:UNDELIV err:001"))).StatusCode);
        await Task.Delay(1000);
        var after = await kannel.MessageAsync(messageId);
        Assert.Equal(MessageStatus.Delivered, after.Status);
        Assert.Equal(delivered.DoneAt, after.DoneAt);
    }
}
