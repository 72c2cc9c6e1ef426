using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Who a campaign may send to, as one query: the segment, minus the exclusion segments, minus
/// opted-out, erased and blocked clients, and for advertising only clients with advertising consent
/// (38-FZ art. 18). The launch snapshot and the cost estimate both start from here, so they agree.
/// The control group and the frequency cap are applied on top by their callers.
/// </summary>
public sealed class CampaignAudience(SegmentAudience segments)
{
    public async Task<IQueryable<Client>> RecipientsAsync(PortalDbContext db, Campaign campaign, CancellationToken ct)
    {
        var audience = await AudienceAsync(db, campaign, ct);
        var sendable = audience.Where(c => c.OptedOutAt == null && c.Status != ClientStatus.Erased && c.Status != ClientStatus.Blocked);
        return campaign.Purpose == MessagePurpose.Advertising
            ? sendable.Where(c => c.AdvertisingConsent.Granted)
            : sendable;
    }

    /// <summary>The segment minus the exclusions, before opt-out and consent are applied (for "dropped" counts).</summary>
    public async Task<IQueryable<Client>> AudienceAsync(PortalDbContext db, Campaign campaign, CancellationToken ct)
    {
        if (campaign.SegmentId is not int segmentId)
        {
            throw new DomainException("A campaign needs an audience.");
        }
        var query = await SegmentQueryAsync(db, segmentId, ct);
        foreach (var excluded in campaign.ExcludedSegmentIds)
        {
            var exclusion = await SegmentQueryAsync(db, excluded, ct);
            query = query.Where(c => !exclusion.Any(e => e.Id == c.Id));
        }
        return query;
    }

    private async Task<IQueryable<Client>> SegmentQueryAsync(PortalDbContext db, int segmentId, CancellationToken ct)
    {
        var segment = await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Id == segmentId, ct)
            ?? throw new DomainException("Segment {0} no longer exists.", segmentId);
        return await segments.QueryAsync(db, SegmentRuleJson.Parse(segment.RulesJson), segment.Id, ct);
    }
}
