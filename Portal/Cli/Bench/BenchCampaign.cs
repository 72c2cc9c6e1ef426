using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli.Bench;

/// <summary>The campaign the sending benches launch: a Service campaign to the whole base, scheduled now, no quiet hours.</summary>
internal static class BenchCampaign
{
    public const string Body = "Hello {{ client.first_name }}! Portal bench.";

    /// <returns>The campaign's id (saved, with its "everyone" segment).</returns>
    public static async Task<int> AddToEveryoneAsync(PortalDbContext db, string queue, string body = Body, int controlGroupPercent = 0)
    {
        var now = DateTime.UtcNow;
        var segment = new Segment("Bench: everyone " + queue, null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "bench", now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign("Bench " + queue, null, MessagePurpose.Service, "bench", now, new CampaignSettings { SegmentId = segment.Id, Body = body, SenderId = "Portal", QuietHoursEnabled = false, ControlGroupPercent = controlGroupPercent });
        campaign.Schedule(now, now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return campaign.Id;
    }
}
