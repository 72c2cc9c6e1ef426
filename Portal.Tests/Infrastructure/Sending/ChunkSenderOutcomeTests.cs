using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 21 (coverage): what <see cref="ChunkSender"/> records for messages it cannot send as
/// they are: a template that does not parse or render, an empty text, a message past its
/// validity, a campaign already over, no provider to take them; and merge fields of every
/// attribute type. The host's own sender is off (Sending:Enabled=false): each test hands the
/// launched chunk to the sender itself, against the SMSC simulator over TCP.
/// </summary>
public sealed class ChunkSenderOutcomeTests
{
    private static Task<DispatchHarness> HarnessAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Sending:Enabled"] = "false" };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        return DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: all);
    }

    private static async Task<DispatchChunk> LaunchAsync(DispatchHarness h, int campaignId)
    {
        Assert.NotNull(await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default));
        await using var db = h.Database.CreateContext();
        return await db.MessageChunks.Where(c => c.CampaignId == campaignId)
            .Select(c => new DispatchChunk(c.Id, c.CampaignId, c.FirstMessageId, c.LastMessageId)).SingleAsync();
    }

    private static async Task<List<(MessageStatus Status, string? ErrorCode)>> MessagesAsync(DispatchHarness h, int campaignId)
    {
        await using var db = h.Database.CreateContext();
        return (await db.Messages.Where(m => m.CampaignId == campaignId).OrderBy(m => m.Id)
            .Select(m => new { m.Status, m.ErrorCode }).ToListAsync()).Select(m => (m.Status, m.ErrorCode)).ToList();
    }

    public static TheoryData<string, string> Unsendable => new()
    {
        // Does not parse: the campaign's template is null for the whole dispatch.
        { "Hello {{ client.no_such_field }}", "template" },
        // Parses, but rendering trips the sandbox's range limit.
        { "{% for i in (1..100000000) %}x{% endfor %}", "render" },
        // Renders to nothing for a client without an external id.
        { "{{ client.external_id }}", "empty" },
    };

    [Theory]
    [MemberData(nameof(Unsendable))]
    public async Task Process_TemplateThatCannotGiveAText_RejectsEveryMessageWithTheReason_AndCompletes(string body, string errorCode)
    {
        await using var h = await HarnessAsync();
        await h.SeedClientsAsync(3);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: body);
        var chunk = await LaunchAsync(h, campaignId);

        await h.Get<ChunkSender>().ProcessAsync(chunk, default);

        Assert.Equal(Enumerable.Repeat((MessageStatus.Rejected, (string?)errorCode), 3), await MessagesAsync(h, campaignId));
        Assert.Empty(h.Smsc.Messages);
        Assert.Equal(CampaignStatus.Completed, await h.CampaignStatusAsync(campaignId));
    }

    /// <summary>A chunk handled after the messages' validity ran out sends nothing: each is Expired ("validity").</summary>
    [Fact]
    public async Task Process_AfterTheValidity_ExpiresTheMessagesInsteadOfSending()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero));
        await using var h = await HarnessAsync();
        h.Clock = clock;
        await h.SeedClientsAsync(4);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { ValidityHours = 1 });
        var chunk = await LaunchAsync(h, campaignId);

        clock.Now = clock.Now.AddHours(1).AddMinutes(1);
        await h.Get<ChunkSender>().ProcessAsync(chunk, default);

        Assert.Equal(Enumerable.Repeat((MessageStatus.Expired, (string?)"validity"), 4), await MessagesAsync(h, campaignId));
        Assert.Empty(h.Smsc.Messages);
        Assert.Equal(CampaignStatus.Completed, await h.CampaignStatusAsync(campaignId));
    }

    /// <summary>A chunk redelivered after its campaign ended (here: failed) is closed without a submit.</summary>
    [Fact]
    public async Task Process_CampaignAlreadyOver_ClosesTheChunkAndSendsNothing()
    {
        await using var h = await HarnessAsync();
        await h.SeedClientsAsync(2);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        var chunk = await LaunchAsync(h, campaignId);
        await using (var db = h.Database.CreateContext())
        {
            await db.Campaigns.Where(c => c.Id == campaignId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Failed));
        }

        await h.Get<ChunkSender>().ProcessAsync(chunk, default);

        await using var check = h.Database.CreateContext();
        var stored = await check.MessageChunks.SingleAsync(c => c.Id == chunk.ChunkId);
        Assert.Equal(MessageChunkStatus.Done, stored.Status);
        Assert.NotNull(stored.DoneAt);
        Assert.Equal(Enumerable.Repeat((MessageStatus.Queued, (string?)null), 2), await MessagesAsync(h, campaignId));
        Assert.Empty(h.Smsc.Messages);
    }

    /// <summary>
    /// No provider can take the messages (the only one is disabled): the sender puts them back in
    /// the queue, goes over the chunk again after a pause, and once UnavailableRetryFor is spent
    /// gives the chunk back to the bus with <see cref="SendingUnavailableException"/>.
    /// </summary>
    [Fact]
    public async Task Process_NoProviderTakesThem_RetriesThenThrowsWithEveryMessageQueuedAgain()
    {
        await using var h = await HarnessAsync(new() { ["Sending:UnavailableRetryFor"] = "00:00:01" });
        await h.SeedClientsAsync(3);
        await using (var db = h.Database.CreateContext())
        {
            await db.Providers.ExecuteUpdateAsync(s => s.SetProperty(p => p.Enabled, false));
        }
        h.CaptureLogs = true;
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        var chunk = await LaunchAsync(h, campaignId);

        await Assert.ThrowsAsync<SendingUnavailableException>(() => h.Get<ChunkSender>().ProcessAsync(chunk, default));

        Assert.Equal(Enumerable.Repeat((MessageStatus.Queued, (string?)null), 3), await MessagesAsync(h, campaignId));
        Assert.Single(h.Logs, l => l.Contains($"no provider took some messages, going over chunk {chunk.ChunkId} again"));
        await using var check = h.Database.CreateContext();
        Assert.True(await check.Messages.Where(m => m.CampaignId == campaignId).AllAsync(m => m.SubmittedAt == null && m.LeaseRenewedAt == null));
        Assert.NotEqual(MessageChunkStatus.Done, (await check.MessageChunks.SingleAsync(c => c.Id == chunk.ChunkId)).Status);
        Assert.Empty(h.Smsc.Messages);
    }

    /// <summary>Number, date and yes/no attributes reach the text in their invariant form.</summary>
    [Fact]
    public async Task Process_AttributesOfEveryType_AreMergedIntoTheText()
    {
        await using var h = await HarnessAsync();
        await h.SeedClientsAsync(1);
        await using (var db = h.Database.CreateContext())
        {
            var points = new AttributeDefinition("points", AttributeType.Number, "Points");
            var since = new AttributeDefinition("since", AttributeType.Date, "Member since");
            var vip = new AttributeDefinition("vip", AttributeType.Boolean, "VIP");
            db.AttributeDefinitions.AddRange(points, since, vip);
            await db.SaveChangesAsync();
            var clientId = await db.Clients.Select(c => c.Id).SingleAsync();
            db.ClientAttributes.AddRange(
                new ClientAttribute(clientId, points.Id, number: 1234.5m),
                new ClientAttribute(clientId, since.Id, date: new DateTime(2024, 2, 29)),
                new ClientAttribute(clientId, vip.Id, boolean: true));
            await db.SaveChangesAsync();
        }
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: "P={{ attr.points }} S={{ attr.since }} V={{ attr.vip }}");
        var chunk = await LaunchAsync(h, campaignId);

        await h.Get<ChunkSender>().ProcessAsync(chunk, default);

        var sms = Assert.Single(h.Smsc.Messages);
        Assert.Equal("P=1234.5 S=2024-02-29 V=true", sms.Text);
        Assert.Contains((await MessagesAsync(h, campaignId)).Single().Status, new[] { MessageStatus.Submitted, MessageStatus.Delivered });
    }
}
