using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Who a campaign may send to, as one query: the segment, minus the exclusion segments, minus
/// everyone <see cref="Client.Receives"/> leaves out (inactive, blocked, erased, opted out, and for
/// advertising those without advertising consent, 38-FZ art. 18), minus the frequency-capped. The
/// launch snapshot and the cost estimate both read <see cref="SendableAsync"/>, and the sender checks
/// each message with the same <see cref="Client.Receives"/>, so estimate, snapshot and sender agree
/// (issue 20). The control group is applied on top by the callers.
/// </summary>
public sealed class CampaignAudience(SegmentAudience segments, IOptions<SendingOptions> sending)
{
    /// <summary>The audience minus who may not receive this campaign's purpose (no frequency cap).</summary>
    public async Task<IQueryable<Client>> RecipientsAsync(PortalDbContext db, Campaign campaign, CancellationToken ct)
    {
        var audience = await AudienceAsync(db, campaign, ct);
        return audience.Where(Client.Receives(campaign.Purpose == MessagePurpose.Service ? ConsentPurpose.Service : ConsentPurpose.Advertising));
    }

    /// <summary>
    /// <see cref="RecipientsAsync"/> minus the clients who already got
    /// <c>Sending:MaxMessagesPerClientPerDay</c> campaign messages in the day before <paramref name="now"/>:
    /// exactly who the launch snapshots.
    /// </summary>
    public async Task<IQueryable<Client>> SendableAsync(PortalDbContext db, Campaign campaign, DateTime now, CancellationToken ct)
    {
        var recipients = await RecipientsAsync(db, campaign, ct);
        if (sending.Value.MaxMessagesPerClientPerDay is not int cap)
        {
            return recipients;
        }
        var since = now.AddDays(-1);
        return recipients.Where(c => db.Messages.Count(m => m.ClientId == c.Id && m.CreatedAt >= since
            && m.CampaignId != null && m.Status != MessageStatus.Control && m.Status != MessageStatus.Cancelled) < cap);
    }

    /// <summary>The segment minus the exclusions, before opt-out and consent are applied (for "dropped" counts).</summary>
    public async Task<IQueryable<Client>> AudienceAsync(PortalDbContext db, Campaign campaign, CancellationToken ct)
    {
        if (campaign.Settings.SegmentId is not int segmentId)
        {
            throw new DomainException("A campaign needs an audience.");
        }
        var query = await SegmentQueryAsync(db, segmentId, ct);
        // Issue 18: a campaign reaches only its own partition: a real one never a synthetic client, a
        // sandbox one only its trainee's synthetic clients, whatever segment it names.
        var partition = campaign.SandboxOwnerId;
        query = partition is null ? query.Where(c => c.SandboxOwnerId == null) : query.Where(c => c.SandboxOwnerId == partition);
        foreach (var excluded in campaign.Settings.ExcludedSegmentIds)
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
