using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Runs of a recurring campaign: each firing is a child campaign with the parent's settings. Every
/// scheduling node fires every trigger; the unique index on (ParentCampaignId, FiringAt) lets
/// exactly one insert per firing through, across nodes (ADR 0006).
/// </summary>
public sealed class CampaignRuns(IDbContextFactory<PortalDbContext> contexts, CampaignLauncher launcher, ApprovalGuard approvals, TimeProvider clock, ILogger<CampaignRuns> logger)
{
    /// <summary>Creates and launches the run for <paramref name="fireTimeUtc"/>; a second call for the same firing, on any node, does nothing.</summary>
    public async Task<LaunchResult?> FireAsync(int parentId, DateTime fireTimeUtc, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Whole seconds: every node computes the same cron time, but the key must not depend on sub-second noise.
        var firing = new DateTime(fireTimeUtc.Ticks - fireTimeUtc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        int childId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var parent = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == parentId, ct);
            if (parent is null || parent.Status != CampaignStatus.Scheduled || parent.Settings.ScheduleKind != ScheduleKind.Recurring) return null;
            if (parent.Settings.RecurrenceEndsAt is { } end && fireTimeUtc > end) return null;
            // Issue 14: each run is held to the parent's approval (the run itself is not approved).
            if (await approvals.BrokenAsync(db, parent, ct) is { } broken)
            {
                await approvals.RefuseAsync(db, parentId, broken, ct);
                return null;
            }
            var suffix = " · " + fireTimeUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var name = (parent.Name.Length + suffix.Length > 200 ? parent.Name[..(200 - suffix.Length)] : parent.Name) + suffix;
            if (await db.Campaigns.AnyAsync(c => c.ParentCampaignId == parentId && c.FiringAt == firing, ct)) return null;
            var child = Campaign.RunOf(parent, name, firing, now);
            child.Schedule(now, now);
            db.Campaigns.Add(child);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // The check above raced with another node firing the same trigger: its run stands.
                logger.LogInformation("Campaign {CampaignId}: the firing at {Firing:o} was run by another node", parentId, firing);
                return null;
            }
            childId = child.Id;
        }
        // A crash right here leaves the run Scheduled (kind Now): the scheduler's reconciliation launches it as overdue.
        return await launcher.LaunchAsync(childId, ct);
    }
}
