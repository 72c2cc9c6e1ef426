using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Analytics;

/// <summary>Which campaigns the across-campaigns report takes: started in [From, To), optional filters.</summary>
public sealed record CampaignsReportFilter(DateTime From, DateTime To, int? DepartmentId = null, MessagePurpose? Purpose = null, int? ProviderId = null, string? Author = null);

/// <summary>One campaign in the side-by-side table.</summary>
public sealed record CampaignSummary(
    int Id, string Name, int? DepartmentId, MessagePurpose Purpose, string Author, DateTime StartedAt,
    long Recipients, long Delivered, double Cost, long Replies, long OptOuts, long Conversions,
    double? AbsoluteUplift, double? IncrementalConversions, bool HasControl, bool Significant)
{
    public double? CostPerDelivered => Delivered == 0 ? null : Cost / Delivered;
    /// <summary>Only when the increment is positive: a cost per a negative or zero increment means nothing.</summary>
    public double? CostPerIncrementalConversion => IncrementalConversions is > 0 and var n ? Cost / n : null;
}

/// <summary>A week or month of the trend: sums over campaigns started in it.</summary>
public sealed record TrendPoint(string Period, int Campaigns, long Recipients, long Delivered, long Replies, long OptOuts, long Conversions, double IncrementalConversions);

/// <summary>Clients who replied or converted in the last N days, and in the N days before that.</summary>
public sealed record ActivePool(int Days, long Now, long Before)
{
    public long Change => Now - Before;
}

public sealed record CampaignsReportResult(IReadOnlyList<CampaignSummary> Campaigns, IReadOnlyList<TrendPoint> Weekly, IReadOnlyList<TrendPoint> Monthly, ActivePool Pool);

/// <summary>
/// The across-campaigns report: each campaign's totals come from its kept results cells
/// (<see cref="CampaignResults"/>), so 50 unchanged campaigns cost 50 stamp checks, not 50 scans.
/// </summary>
public sealed class CampaignsReport(IDbContextFactory<PortalDbContext> contexts, CampaignResults results, TimeProvider time)
{
    public async Task<CampaignsReportResult> GetAsync(CampaignsReportFilter filter, IReadOnlyCollection<int>? departments, int poolDays, CancellationToken ct)
    {
        List<(int Id, string Author, MessagePurpose Purpose, DateTime Started)> picked;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            // Issue 18: training-sandbox campaigns are never analytics.
            var q = db.Campaigns.AsNoTracking().Where(c => c.SandboxOwnerId == null && c.StartedAt != null && c.StartedAt >= filter.From && c.StartedAt < filter.To);
            if (filter.DepartmentId is int d) q = q.Where(c => c.DepartmentId == d);
            if (departments is not null) q = q.Where(c => c.DepartmentId != null && departments.Contains(c.DepartmentId.Value));
            if (filter.Purpose is MessagePurpose p) q = q.Where(c => c.Purpose == p);
            if (!string.IsNullOrWhiteSpace(filter.Author)) q = q.Where(c => c.CreatedBy == filter.Author);
            if (filter.ProviderId is int provider)
            {
                q = q.Where(c => c.Settings.ProviderId == provider || db.Messages.Any(m => m.CampaignId == c.Id && m.ProviderId == provider));
            }
            picked = (await q.OrderBy(c => c.StartedAt).Select(c => new { c.Id, c.CreatedBy, c.Purpose, c.StartedAt }).Take(500).ToListAsync(ct))
                .Select(c => (c.Id, c.CreatedBy, c.Purpose, c.StartedAt!.Value)).ToList();
        }

        var byId = picked.ToDictionary(c => c.Id);
        var summaries = new List<CampaignSummary>();
        foreach (var r in await results.GetManyAsync(picked.Select(c => c.Id).ToList(), ct))
        {
            var c = byId[r.CampaignId];
            var t = r.Total;
            summaries.Add(new CampaignSummary(c.Id, r.Name, r.DepartmentId, c.Purpose, c.Author, c.Started,
                t.Sent.Recipients, t.Sent.Delivered, t.Sent.Cost, t.Sent.Replied, t.Sent.OptedOut, t.Sent.Conversions + t.Control.Conversions,
                t.Uplift.AbsoluteUplift, t.Uplift.IncrementalConversions, t.Control.Recipients > 0,
                t.Uplift.Verdict is Domain.Analytics.UpliftVerdict.SignificantIncrease or Domain.Analytics.UpliftVerdict.SignificantDecrease));
        }

        return new CampaignsReportResult(summaries, Trend(summaries, Week), Trend(summaries, Month), await PoolAsync(poolDays, ct));
    }

    private static string Week(DateTime d) => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(d)}-W{ISOWeek.GetWeekOfYear(d):D2}");
    private static string Month(DateTime d) => d.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static List<TrendPoint> Trend(List<CampaignSummary> campaigns, Func<DateTime, string> period) =>
        campaigns.GroupBy(c => period(c.StartedAt)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TrendPoint(g.Key, g.Count(), g.Sum(c => c.Recipients), g.Sum(c => c.Delivered), g.Sum(c => c.Replies),
                g.Sum(c => c.OptOuts), g.Sum(c => c.Conversions), g.Sum(c => c.IncrementalConversions ?? 0)))
            .ToList();

    /// <summary>The "active client pool": distinct clients with a reply or a conversion in the window (set-based, indexed by time).</summary>
    public async Task<ActivePool> PoolAsync(int days, CancellationToken ct)
    {
        days = Math.Clamp(days, 1, 365);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        async Task<long> CountAsync(DateTime from, DateTime to) =>
            await db.InboundMessages.Where(i => i.Kind == InboundKind.Reply && i.ClientId != null && i.ReceivedAt >= from && i.ReceivedAt < to
                    && !db.Clients.Any(c => c.Id == i.ClientId && c.SandboxOwnerId != null)).Select(i => i.ClientId!.Value)
                .Union(db.Conversions.Where(c => c.ConvertedAt >= from && c.ConvertedAt < to).Select(c => c.ClientId))
                .LongCountAsync(ct);
        var span = TimeSpan.FromDays(days);
        return new ActivePool(days, await CountAsync(now - span, now), await CountAsync(now - 2 * span, now - span));
    }
}
