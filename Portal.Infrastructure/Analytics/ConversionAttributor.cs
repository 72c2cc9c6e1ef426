using Microsoft.EntityFrameworkCore;
using Portal.Domain.Analytics;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Analytics;

/// <summary>
/// Attributes client events to campaigns incrementally: each pass reads the next batch of events by
/// id after a watermark, loads the touches (delivered or control messages of campaigns with a goal)
/// of just those clients in one query, applies <see cref="Attribution.LastTouch"/> and keeps the
/// earliest attributed event per (campaign, client). A late, back-dated event is simply a new id: it
/// is attributed when it arrives and replaces a later conversion it precedes. Every change is also
/// written as a <see cref="ConversionDelta"/>, which campaign results add up incrementally. Cost is per
/// event, never per page view or per campaign size.
/// </summary>
public sealed class ConversionAttributor(IDbContextFactory<PortalDbContext> contexts)
{
    public const string Watermark = "conversions.events";

    /// <summary>
    /// Attributes up to <paramref name="batchSize"/> events after the watermark, not past
    /// <paramref name="upToId"/>; returns how many events were read (0 when caught up).
    /// </summary>
    public async Task<int> RunOnceAsync(int batchSize, long upToId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mark = await db.AnalyticsWatermarks.SingleOrDefaultAsync(w => w.Name == Watermark, ct);
        if (mark is null)
        {
            mark = new AnalyticsWatermark(Watermark, 0);
            db.AnalyticsWatermarks.Add(mark);
        }
        var from = mark.Value;
        var events = await db.ClientEvents.AsNoTracking()
            .Where(e => e.Id > from && e.Id <= upToId)
            .OrderBy(e => e.Id)
            .Take(batchSize)
            .Select(e => new { e.Id, e.ClientId, e.Type, e.OccurredAt, e.Amount })
            .ToListAsync(ct);
        if (events.Count == 0) return 0;

        var goals = (await db.Campaigns.AsNoTracking()
                .Where(c => c.Settings.GoalEvents != GoalEventTypes.None)
                .Select(c => new { c.Id, c.Settings.GoalEvents, c.Settings.GoalMinAmount, c.Settings.AttributionWindowHours })
                .ToListAsync(ct))
            .ToDictionary(c => c.Id, c => new CampaignGoal(c.GoalEvents, c.GoalMinAmount, c.AttributionWindowHours));

        if (goals.Count > 0)
        {
            var clientIds = events.Select(e => e.ClientId).Distinct().ToList();
            var goalIds = goals.Keys.ToList();
            var touches = (await db.Messages.AsNoTracking()
                    .Where(m => clientIds.Contains(m.ClientId) && m.CampaignId != null && goalIds.Contains(m.CampaignId.Value)
                        && ((m.Status == MessageStatus.Delivered && m.DoneAt != null) || m.Status == MessageStatus.Control))
                    .Select(m => new { m.Id, m.ClientId, CampaignId = m.CampaignId!.Value, m.Status, m.DoneAt, m.CreatedAt })
                    .ToListAsync(ct))
                .GroupBy(m => m.ClientId)
                .ToDictionary(g => g.Key, g => g.Select(m => new Touch(m.CampaignId, m.Id, m.Status == MessageStatus.Control,
                    m.Status == MessageStatus.Control ? m.CreatedAt : m.DoneAt!.Value, goals[m.CampaignId])).ToList());

            // The earliest attributed event per (campaign, client) in this batch.
            var found = new Dictionary<(int, long), (Touch Touch, long EventId, DateTime At, long Amount)>();
            foreach (var e in events)
            {
                if (!touches.TryGetValue(e.ClientId, out var mine)) continue;
                if (Attribution.LastTouch(e.Type, e.Amount, e.OccurredAt, mine) is not { } touch) continue;
                var key = (touch.CampaignId, e.ClientId);
                if (!found.TryGetValue(key, out var seen) || e.OccurredAt < seen.At || (e.OccurredAt == seen.At && e.Id < seen.EventId))
                {
                    found[key] = (touch, e.Id, e.OccurredAt, Conversion.ToMinor(e.Amount));
                }
            }

            if (found.Count > 0)
            {
                var foundClients = found.Keys.Select(k => k.Item2).Distinct().ToList();
                var existing = (await db.Conversions
                        .Where(c => foundClients.Contains(c.ClientId))
                        .ToListAsync(ct))
                    .ToDictionary(c => (c.CampaignId, c.ClientId));
                foreach (var (key, hit) in found)
                {
                    if (existing.TryGetValue(key, out var conversion))
                    {
                        var was = conversion.AmountMinor;
                        if (conversion.OfferEarlier(hit.EventId, hit.At, hit.Amount) && conversion.AmountMinor != was)
                        {
                            db.ConversionDeltas.Add(new ConversionDelta(key.Item1, key.Item2, 0, conversion.AmountMinor - was,
                                (double)conversion.AmountMinor * conversion.AmountMinor - (double)was * was));
                        }
                    }
                    else
                    {
                        db.Conversions.Add(new Conversion(key.Item1, key.Item2, hit.Touch.MessageId, hit.Touch.IsControl, hit.EventId, hit.At, hit.Amount));
                        db.ConversionDeltas.Add(new ConversionDelta(key.Item1, key.Item2, 1, hit.Amount, (double)hit.Amount * hit.Amount));
                    }
                }
            }
        }

        mark.Value = events[^1].Id;
        // The watermark row is the lock: two nodes reading the same batch conflict here, one rolls back.
        db.Entry(mark).Property(w => w.Value).OriginalValue = from;
        await db.SaveChangesAsync(ct);
        return events.Count;
    }

    /// <summary>Runs passes until caught up with the events that exist now.</summary>
    public async Task<int> CatchUpAsync(int batchSize, CancellationToken ct)
    {
        long upTo;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            upTo = await db.ClientEvents.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        }
        var total = 0;
        int read;
        while ((read = await RunOnceAsync(batchSize, upTo, ct)) > 0)
        {
            total += read;
        }
        return total;
    }
}
