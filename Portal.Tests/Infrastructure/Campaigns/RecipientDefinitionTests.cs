using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 20 item 2: estimate, launch snapshot and sender apply ONE definition of who receives, on a
/// base with inactive, opted-out, non-consenting and frequency-capped clients; item 7: a one-off
/// campaign to an empty audience is refused at schedule. Real host, SMSC over TCP, both databases.
/// </summary>
public sealed class RecipientDefinitionTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Estimate_Snapshot_AndSender_AgreeOnWhoReceives(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: new() { ["Sending:MaxMessagesPerClientPerDay"] = "1" });
        var at = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        // 60 clients: 10 inactive, 10 opted out, 10 without advertising consent, 10 capped, 20 who receive.
        await h.SeedClientsAsync(60, (c, i) =>
        {
            switch (i % 6)
            {
                case 0: c.Deactivate(at); break;
                case 1: c.OptOut(at, "STOP"); break;
                case 2: c.SetConsent(ConsentPurpose.Advertising, false, at, "test", null); break;
                default: c.SetConsent(ConsentPurpose.Advertising, true, at, "test", null); break;
            }
        });
        await h.StartAsync();
        var earlier = await h.CreateCampaignAsync(schedule: false);
        await using (var db = h.Database.CreateContext())
        {
            var now = DateTime.UtcNow;
            var capped = await db.Clients.OrderBy(c => c.Id).Select(c => new { c.Id, c.Phone }).ToListAsync();
            foreach (var client in capped.Where((_, i) => i % 6 == 3))
            {
                db.Messages.Add(new Message(earlier, client.Id, client.Phone, now.AddHours(-1)) { Status = MessageStatus.Delivered });
            }
            await db.SaveChangesAsync();
        }
        var campaignId = await h.CreateCampaignAsync(purpose: MessagePurpose.Advertising, schedule: false);
        Campaign campaign;
        await using (var db = h.Database.CreateContext())
        {
            campaign = await db.Campaigns.SingleAsync(c => c.Id == campaignId);
        }

        var estimate = await h.Get<ICampaignEstimator>().EstimateAsync(campaign);
        await h.Get<ICampaignOperations>().ScheduleAsync(campaignId, Actors.Author);
        var launch = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => !c.ContainsKey(MessageStatus.Queued) && !c.ContainsKey(MessageStatus.Submitting)
            && !c.ContainsKey(MessageStatus.Deferred) && !c.ContainsKey(MessageStatus.Submitted), TimeSpan.FromSeconds(60));

        Assert.NotNull(launch);
        Assert.Equal(20, estimate.Recipients + estimate.ControlGroup);
        Assert.Equal(20, launch.Messages);
        Assert.Equal(10, launch.FrequencyCapped);
        var counts = await h.CountsAsync(campaignId);
        Assert.False(counts.ContainsKey(MessageStatus.Cancelled), "the sender cancelled what the snapshot took: " + string.Join(", ", counts));
        Assert.Equal(estimate.Recipients, counts.GetValueOrDefault(MessageStatus.Delivered));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Schedule_ToAnAudienceNobodyMatches_IsRefusedInWords(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: new() { ["Sending:Enabled"] = "false" });
        await h.SeedClientsAsync(5);
        await h.StartAsync();
        int segmentId;
        await using (var db = h.Database.CreateContext())
        {
            // Female AND Male: saved (the editor warns), nobody matches.
            var rule = SegmentRuleJson.Parse("""
                {"version":1,"root":{"children":[
                  {"type":"condition","criterion":"gender","operator":"equals","value":"Female"},
                  {"type":"condition","criterion":"gender","operator":"equals","value":"Male"}]}}
                """);
            var segment = new Segment("Contradiction", null, SegmentRuleJson.Serialize(rule), "test", DateTime.UtcNow);
            db.Segments.Add(segment);
            await db.SaveChangesAsync();
            segmentId = segment.Id;
        }
        var campaignId = await h.CreateCampaignAsync(s => s with { SegmentId = segmentId }, schedule: false);

        var refused = await Assert.ThrowsAsync<DomainException>(() => h.Get<ICampaignOperations>().ScheduleAsync(campaignId, Actors.Author));

        Assert.Contains("Nobody in this audience", refused.Message);
        Assert.Equal(CampaignStatus.Draft, await h.CampaignStatusAsync(campaignId));
    }
}
