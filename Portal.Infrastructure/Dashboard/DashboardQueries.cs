using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Dashboard;

/// <summary>
/// The live dashboard's numbers, counted in the database so they are right whichever node sends.
/// Each read is a handful of set-based statements over index ranges of the last 15 minutes
/// (Messages.SubmittedAt, Messages.DoneAt+Status, Messages.CampaignId+Status); nothing per message
/// reaches .NET. Circuits asking within <see cref="DashboardOptions.ShareFor"/> share one snapshot.
/// Rates (campaign ETA, provider speed) come from successive readings kept here, which is why this
/// is a singleton.
/// </summary>
public sealed class DashboardQueries(
    IDbContextFactory<PortalDbContext> contexts,
    IMessageBus bus,
    IOptions<SendingOptions> sending,
    IOptions<DashboardOptions> options,
    TimeProvider clock,
    ILogger<DashboardQueries> logger) : IDashboardQueries
{
    /// <summary>Campaign cards shown at most (the oldest running first).</summary>
    public const int MaxCampaigns = 20;

    /// <summary>How far back readings are kept to turn counters into rates.</summary>
    private static readonly TimeSpan CampaignRateWindow = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ProviderRateWindow = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DashboardSnapshot? _last;
    private DateTime _lastDay;
    private readonly Dictionary<DateTime, DayBase> _days = [];
    private readonly Dictionary<int, Queue<(DateTime At, int Final)>> _campaignReadings = [];
    private readonly Dictionary<(string Node, int Provider), Queue<ProviderNodeStats>> _providerReadings = [];
    private readonly Dictionary<DateTime, (int Submitted, int Delivered)> _settledBuckets = [];
    private DateTime _bucketsSettledUntil;
    private IReadOnlyList<LiveCampaign> _campaigns = [];
    private DateTime _campaignsDay;
    private int _campaignTicksToSkip;

    /// <summary>Today's totals up to <see cref="Until"/>: rows older than <see cref="DashboardOptions.SettleAfter"/> do not change any more.</summary>
    private sealed record DayBase(DateTime Until, TodayTotals Totals);

    public async Task<DashboardSnapshot> ReadAsync(DateTime dayStartUtc, CancellationToken ct = default)
    {
        dayStartUtc = DateTime.SpecifyKind(dayStartUtc, DateTimeKind.Utc);
        await _gate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (_last is { } last && _lastDay == dayStartUtc && now >= last.At && now - last.At < options.Value.ShareFor)
            {
                return last;
            }
            var started = Stopwatch.GetTimestamp();
            await using var db = await contexts.CreateDbContextAsync(ct);
            var today = await TodayAsync(db, dayStartUtc, now, ct);
            var campaigns = await CampaignsCachedAsync(db, dayStartUtc, now, ct);
            var throughput = await ThroughputAsync(db, now, ct);
            var providers = await ProvidersAsync(db, now, ct);
            var queues = await QueuesAsync(ct);
            _last = new DashboardSnapshot(now, today, campaigns, throughput, providers, queues, Stopwatch.GetElapsedTime(started));
            _lastDay = dayStartUtc;
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Keeps this node's dashboard warm (issue 20; <see cref="DashboardWarmer"/> calls it every
    /// <see cref="DashboardOptions.WarmEvery"/>): reads it for every day start a viewer asked for
    /// that is still today somewhere, or for this node's own day when none was asked yet. A viewer
    /// who opens the page then finds the day's settled totals, the chart's settled buckets and the
    /// campaigns' rate readings already there and reads only the last minutes: at 1.9 M clients the
    /// cold first read took 0.85-1.2 s, a warm one a fraction (docs/BENCHMARKS.md, bench pages).
    /// </summary>
    public async Task WarmAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<DateTime> days;
        await _gate.WaitAsync(ct);
        try
        {
            days = _days.Keys.Where(day => day <= now && now < day.AddDays(1)).ToList();
        }
        finally
        {
            _gate.Release();
        }
        if (days.Count == 0)
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(now, TimeZoneInfo.Local).Date;
            days.Add(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeZoneInfo.Local));
        }
        foreach (var day in days)
        {
            await ReadAsync(day, ct);
        }
        // The warmer counts; it never answers a viewer: the next viewer reads fresh figures (on the
        // warm day) instead of a snapshot the warmer took before messages that were sent since.
        await _gate.WaitAsync(ct);
        try
        {
            _last = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    // ---- today's totals: a cached settled part plus the live last minutes ----

    private async Task<TodayTotals> TodayAsync(PortalDbContext db, DateTime day, DateTime now, CancellationToken ct)
    {
        // Settled rows are added to the cached part once, minute by minute; each tick reads only the last minutes.
        var settled = Floor(now - options.Value.SettleAfter, TimeSpan.FromMinutes(1));
        if (settled < day) settled = day;
        if (!_days.TryGetValue(day, out var cached) || cached.Until > settled)
        {
            if (_days.Count >= 4) _days.Clear();
            cached = new DayBase(day, new TodayTotals(0, 0, 0, 0, 0));
        }
        if (cached.Until < settled)
        {
            cached = new DayBase(settled, Add(cached.Totals, await TotalsAsync(db, cached.Until, settled, ct)));
        }
        _days[day] = cached;
        return Add(cached.Totals, await TotalsAsync(db, cached.Until, null, ct));
    }

    /// <summary>
    /// Issue 18: training-sandbox campaigns that may have messages in a window from <paramref name="from"/>,
    /// left out of every total. A short list of ids (empty unless trainees practised lately), so the
    /// totals keep their index range scans instead of joining every message to its campaign.
    /// </summary>
    internal static async Task<List<int>> SandboxCampaignIdsAsync(PortalDbContext db, DateTime from, CancellationToken ct)
    {
        var since = from.AddDays(-3);
        return await db.Campaigns.Where(c => c.SandboxOwnerId != null && c.StartedAt != null && (c.FinishedAt == null || c.FinishedAt >= since))
            .Select(c => c.Id).ToListAsync(ct);
    }

    private static async Task<TodayTotals> TotalsAsync(PortalDbContext db, DateTime from, DateTime? to, CancellationToken ct)
    {
        var sandbox = await SandboxCampaignIdsAsync(db, from, ct);
        var messages = sandbox.Count == 0 ? db.Messages : db.Messages.Where(m => m.CampaignId == null || !sandbox.Contains(m.CampaignId.Value));
        var submitted = messages.Where(m => m.SubmittedAt >= from);
        var done = messages.Where(m => m.DoneAt >= from);
        if (to is { } end)
        {
            submitted = submitted.Where(m => m.SubmittedAt < end);
            done = done.Where(m => m.DoneAt < end);
        }
        // One row at most (none when nothing was sent): a list, since FirstOrDefault without an
        // OrderBy makes EF print a warning on every read (seen on a first start's console).
        var sent = (await submitted.GroupBy(_ => 1)
            .Select(g => new { Count = g.LongCount(), Parts = g.Sum(m => (long)m.Parts), Cost = g.Sum(m => (double)m.Cost) })
            .ToListAsync(ct)).FirstOrDefault();
        var final = await done.GroupBy(m => m.Status).Select(g => new { Status = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        return new TodayTotals(
            sent?.Count ?? 0,
            final.Where(f => f.Status == MessageStatus.Delivered).Sum(f => f.Count),
            final.Where(f => IsFailure(f.Status)).Sum(f => f.Count),
            sent?.Parts ?? 0,
            (decimal)Math.Round(sent?.Cost ?? 0, 4));
    }

    private static TodayTotals Add(TodayTotals a, TodayTotals b) =>
        new(a.Sent + b.Sent, a.Delivered + b.Delivered, a.Failed + b.Failed, a.Parts + b.Parts, a.Cost + b.Cost);

    private static bool IsFailure(MessageStatus s) =>
        s is MessageStatus.Undeliverable or MessageStatus.Expired or MessageStatus.Rejected or MessageStatus.Unknown;

    // ---- running campaigns ----

    /// <summary>Recounts every tick while that is cheap; a slow count (a huge campaign) is reused for a few ticks.</summary>
    private async Task<IReadOnlyList<LiveCampaign>> CampaignsCachedAsync(PortalDbContext db, DateTime day, DateTime now, CancellationToken ct)
    {
        if (_campaignTicksToSkip > 0 && _campaignsDay == day)
        {
            _campaignTicksToSkip--;
            return _campaigns;
        }
        var started = Stopwatch.GetTimestamp();
        _campaigns = await CampaignsAsync(db, day, now, ct);
        _campaignsDay = day;
        var took = Stopwatch.GetElapsedTime(started);
        var budget = options.Value.CampaignQueryBudget;
        _campaignTicksToSkip = took <= budget ? 0 : (int)Math.Min(4, Math.Ceiling(took / budget) - 1);
        return _campaigns;
    }

    private async Task<IReadOnlyList<LiveCampaign>> CampaignsAsync(PortalDbContext db, DateTime day, DateTime now, CancellationToken ct)
    {
        var dayEnd = day.AddDays(1);
        var recent = now - DashboardSnapshot.Window;
        var rows = await db.Campaigns.AsNoTracking()
            // A recurring campaign itself sends nothing: its runs (child campaigns) do.
            .Where(c => c.Settings.ScheduleKind != ScheduleKind.Recurring || c.ParentCampaignId != null)
            .Where(c => c.SandboxOwnerId == null)
            .Where(c => c.Status == CampaignStatus.Sending || c.Status == CampaignStatus.Paused
                || (c.Status == CampaignStatus.Scheduled && c.ScheduledAt < dayEnd)
                || (c.Status == CampaignStatus.Completed && c.FinishedAt >= recent))
            .OrderBy(c => c.Status == CampaignStatus.Completed).ThenBy(c => c.Id)
            .Take(MaxCampaigns)
            .Select(c => new { c.Id, c.Name, c.Status })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var counts = ids.Count == 0 ? [] : await db.Messages
            .Where(m => m.CampaignId != null && ids.Contains(m.CampaignId.Value))
            .GroupBy(m => new { m.CampaignId, m.Status })
            .Select(g => new { g.Key.CampaignId, g.Key.Status, Count = g.Count() })
            .ToListAsync(ct);
        foreach (var gone in _campaignReadings.Keys.Except(ids).ToList())
        {
            _campaignReadings.Remove(gone);
        }
        var result = new List<LiveCampaign>(rows.Count);
        foreach (var row in rows)
        {
            var mine = counts.Where(c => c.CampaignId == row.Id).ToList();
            int Count(params MessageStatus[] statuses) => mine.Where(c => statuses.Contains(c.Status)).Sum(c => c.Count);
            var live = new LiveCampaign(row.Id, row.Name, row.Status,
                Total: mine.Sum(c => c.Count),
                Queued: Count(MessageStatus.Queued),
                // Uncertain ones may still get a receipt: in flight, not final.
                Submitted: Count(MessageStatus.Submitting, MessageStatus.Submitted, MessageStatus.Uncertain),
                Delivered: Count(MessageStatus.Delivered),
                Failed: Count(MessageStatus.Undeliverable, MessageStatus.Expired, MessageStatus.Rejected, MessageStatus.Unknown),
                Deferred: Count(MessageStatus.Deferred),
                Control: Count(MessageStatus.Control),
                Cancelled: Count(MessageStatus.Cancelled),
                FinalPerSecond: 0,
                EstimatedFinish: null);
            result.Add(WithRate(live, now));
        }
        return result;
    }

    /// <summary>Final messages per second over the last readings (up to two minutes) and the finish that rate gives.</summary>
    private LiveCampaign WithRate(LiveCampaign c, DateTime now)
    {
        if (!_campaignReadings.TryGetValue(c.Id, out var readings))
        {
            _campaignReadings[c.Id] = readings = new Queue<(DateTime, int)>();
        }
        if (readings.Count > 0 && readings.Last().Final > c.Final) readings.Clear();
        readings.Enqueue((now, c.Final));
        while (readings.Count > 2 && now - readings.Peek().At > CampaignRateWindow) readings.Dequeue();
        var (firstAt, firstFinal) = readings.Peek();
        var seconds = (now - firstAt).TotalSeconds;
        var rate = seconds >= 1 ? (c.Final - firstFinal) / seconds : 0;
        var remaining = c.Total - c.Final;
        DateTime? finish = remaining == 0 || c.Status == CampaignStatus.Completed ? null
            : rate > 0 && c.Status == CampaignStatus.Sending ? now.AddSeconds(Math.Min(remaining / rate, TimeSpan.FromDays(30).TotalSeconds))
            : null;
        return c with { FinalPerSecond = Math.Round(rate, 1), EstimatedFinish = finish };
    }

    // ---- throughput per 10-second bucket over 15 minutes ----

    private async Task<IReadOnlyList<ThroughputBucket>> ThroughputAsync(PortalDbContext db, DateTime now, CancellationToken ct)
    {
        var size = DashboardSnapshot.BucketSize;
        // Complete buckets only: the one still filling would read as a dip.
        var end = Floor(now, size);
        var from = end - DashboardSnapshot.Window;
        // Buckets older than SettleAfter are read once and kept; each tick reads only the newer ones.
        var settleTo = Floor(now - options.Value.SettleAfter, size);
        if (settleTo < from) settleTo = from;
        if (_bucketsSettledUntil < from || _bucketsSettledUntil > settleTo)
        {
            _settledBuckets.Clear();
            _bucketsSettledUntil = from;
        }
        if (_bucketsSettledUntil < settleTo)
        {
            foreach (var (start, counts) in await BucketPairsAsync(db, _bucketsSettledUntil, settleTo, ct))
            {
                _settledBuckets[start] = counts;
            }
            _bucketsSettledUntil = settleTo;
        }
        foreach (var old in _settledBuckets.Keys.Where(k => k < from).ToList())
        {
            _settledBuckets.Remove(old);
        }
        var live = await BucketPairsAsync(db, settleTo, end, ct);
        var count = (int)(DashboardSnapshot.Window / size);
        var buckets = new ThroughputBucket[count];
        for (var i = 0; i < count; i++)
        {
            var start = from + size * i;
            var (submitted, delivered) = start < settleTo ? _settledBuckets.GetValueOrDefault(start) : live.GetValueOrDefault(start);
            buckets[i] = new ThroughputBucket(start, submitted, delivered);
        }
        return buckets;
    }

    private static async Task<Dictionary<DateTime, (int Submitted, int Delivered)>> BucketPairsAsync(PortalDbContext db, DateTime from, DateTime end, CancellationToken ct)
    {
        var result = new Dictionary<DateTime, (int, int)>();
        if (end <= from) return result;
        var submitted = await BucketsAsync(db, "SubmittedAt", null, from, end, ct);
        var delivered = await BucketsAsync(db, "DoneAt", MessageStatus.Delivered, from, end, ct);
        foreach (var i in submitted.Keys.Union(delivered.Keys))
        {
            result[from + DashboardSnapshot.BucketSize * i] = (submitted.GetValueOrDefault(i), delivered.GetValueOrDefault(i));
        }
        return result;
    }

    private sealed record BucketRow(long Bucket, long Count);

    /// <summary>
    /// Counts per bucket in SQL: whole seconds since the window's start divided by the bucket size,
    /// grouped. The range on the time column is what the partial index serves.
    /// </summary>
    private static async Task<Dictionary<int, int>> BucketsAsync(PortalDbContext db, string column, MessageStatus? status, DateTime from, DateTime end, CancellationToken ct)
    {
        var seconds = db.Database.IsNpgsql()
            ? $"floor(extract(epoch from \"{column}\"))::bigint"
            : $"unixepoch(\"{column}\")";
        var statusFilter = status is { } s ? $" AND \"Status\" = {(int)s}" : "";
        var sandbox = await SandboxCampaignIdsAsync(db, from, ct);
        if (sandbox.Count > 0)
        {
            // Ids are integers read from the database: inlined, not user input.
            statusFilter += $" AND (\"CampaignId\" IS NULL OR \"CampaignId\" NOT IN ({string.Join(",", sandbox.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))}))";
        }
        var sql = FormattableStringFactory.Create(
            $"SELECT ({seconds} - {{0}}) / {(int)DashboardSnapshot.BucketSize.TotalSeconds} AS \"Bucket\", COUNT(*) AS \"Count\" " +
            $"FROM \"Messages\" WHERE \"{column}\" >= {{1}} AND \"{column}\" < {{2}}{statusFilter} GROUP BY 1",
            new DateTimeOffset(from).ToUnixTimeSeconds(), from, end);
        var rows = await db.Database.SqlQuery<BucketRow>(sql).ToListAsync(ct);
        return rows.ToDictionary(r => (int)r.Bucket, r => (int)r.Count);
    }

    // ---- providers: every node's fresh row, rates from successive readings ----

    private async Task<IReadOnlyList<ProviderLive>> ProvidersAsync(PortalDbContext db, DateTime now, CancellationToken ct)
    {
        var fresh = now - options.Value.FreshFor;
        var rows = await db.Set<ProviderNodeStats>().AsNoTracking().Where(s => s.UpdatedAt >= fresh).ToListAsync(ct);
        var reporting = rows.Select(r => r.ProviderId).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking()
            .Where(p => p.Enabled || reporting.Contains(p.Id))
            .OrderBy(p => p.Name)
            .Select(p => new { p.Id, p.Name, p.Enabled, p.Kind })
            .ToListAsync(ct);
        // Circuits any node opened (issue 12): "up" would be a lie while routing avoids the provider.
        var open = await db.ProviderCircuits.AsNoTracking().Where(c => c.OpenUntil > now)
            .GroupBy(c => c.ProviderId).Select(g => new { ProviderId = g.Key, Until = g.Max(c => c.OpenUntil) })
            .ToDictionaryAsync(c => c.ProviderId, c => c.Until, ct);

        var deltas = new Dictionary<int, (double PerSecond, long Submitted, long Errors, long Throttled)>();
        var seen = new HashSet<(string, int)>();
        foreach (var row in rows)
        {
            var key = (row.NodeId, row.ProviderId);
            seen.Add(key);
            if (!_providerReadings.TryGetValue(key, out var readings))
            {
                _providerReadings[key] = readings = new Queue<ProviderNodeStats>();
            }
            if (readings.Count > 0 && readings.Last().SubmittedTotal > row.SubmittedTotal) readings.Clear();
            if (readings.Count == 0 || readings.Last().UpdatedAt < row.UpdatedAt) readings.Enqueue(row);
            while (readings.Count > 2 && row.UpdatedAt - readings.Peek().UpdatedAt > ProviderRateWindow) readings.Dequeue();
            var first = readings.Peek();
            var seconds = (row.UpdatedAt - first.UpdatedAt).TotalSeconds;
            if (seconds <= 0) continue;
            var d = deltas.GetValueOrDefault(row.ProviderId);
            var submitted = row.SubmittedTotal - first.SubmittedTotal;
            deltas[row.ProviderId] = (d.PerSecond + submitted / seconds, d.Submitted + submitted,
                d.Errors + row.ErrorsTotal - first.ErrorsTotal, d.Throttled + row.ThrottledTotal - first.ThrottledTotal);
        }
        foreach (var gone in _providerReadings.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _providerReadings.Remove(gone);
        }

        return providers.Select(p =>
        {
            var mine = rows.Where(r => r.ProviderId == p.Id).ToList();
            var d = deltas.GetValueOrDefault(p.Id);
            return new ProviderLive(p.Id, p.Name, mine.Count,
                mine.Sum(r => r.BindsUp), mine.Sum(r => r.BindsConfigured),
                mine.Sum(r => r.WindowInUse), mine.Sum(r => r.WindowSize),
                Math.Round(d.PerSecond, 1),
                d.Submitted > 0 ? Math.Round(100.0 * d.Errors / d.Submitted, 2) : 0,
                d.Submitted > 0 ? Math.Round(100.0 * d.Throttled / d.Submitted, 2) : 0,
                p.Enabled, p.Kind, open.TryGetValue(p.Id, out var until) ? DateTime.SpecifyKind(until, DateTimeKind.Utc) : null);
        }).ToList();
    }

    // ---- queues ----

    private async Task<IReadOnlyList<QueueStats>> QueuesAsync(CancellationToken ct)
    {
        var result = new List<QueueStats>(3);
        // Replies too: a dead-lettered STOP must be seen (issue 13).
        foreach (var queue in new[] { sending.Value.ChunkQueue, sending.Value.ReceiptQueue, sending.Value.InboundQueue })
        {
            try
            {
                result.Add(await bus.GetStatsAsync(queue, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The page shows the queue as unknown; the database figures still come through.
                logger.LogWarning("Queue {Queue} statistics unavailable: {Error}", queue, e.Message);
            }
        }
        return result;
    }

    private static DateTime Floor(DateTime t, TimeSpan step) => new(t.Ticks - t.Ticks % step.Ticks, DateTimeKind.Utc);
}
