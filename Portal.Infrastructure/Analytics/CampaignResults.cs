using System.Data;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Analytics;

/// <summary>One row of a results table: a breakdown value, its sent and control cells, and the uplift between them.</summary>
public sealed record ResultRow(string Dimension, string Value, ResultCell Sent, ResultCell Control, UpliftResult Uplift)
{
    public double DeliveryRate => Rate(Sent.Delivered, Sent.Recipients);
    public double ReplyRate => Rate(Sent.Replied, Sent.Recipients);
    public double OptOutRate => Rate(Sent.OptedOut, Sent.Recipients);
    private static double Rate(long x, long n) => n == 0 ? 0 : (double)x / n;
}

/// <summary>A campaign's results as the page shows them.</summary>
public sealed record CampaignResultsReport(
    int CampaignId,
    string Name,
    int? DepartmentId,
    CampaignStatus Status,
    CampaignGoal? Goal,
    int ControlGroupPercent,
    DateTime ComputedAt,
    ResultRow Total,
    IReadOnlyList<ResultRow> Breakdown);

/// <summary>
/// Campaign results over incrementally kept inputs: conversions are attributed as events arrive
/// (<see cref="ConversionAttributor"/>), and the cells computed from them are kept per campaign
/// with the marks of what they were computed from. A read compares the marks (two index-range
/// aggregates over the campaign's conversion changes and replies) and returns the kept cells when nothing
/// changed. When something did, the changes after the kept marks (new or replaced conversions, first
/// replies and opt-outs: <see cref="CampaignResultsQuery.ResponseChangesAsync"/>) are added to the kept
/// responders' part, and that to the kept base part. A read recomputes the base part (every message
/// row) only when none is kept or the campaign's status changed; the attribution job refreshes it while
/// receipts still arrive (at most once per <see cref="AnalyticsOptions.ResultsRefreshAfter"/>) and once
/// they settle (<see cref="KeepOneAsync"/>). The responders' part is recomputed only when a row arrived
/// late behind its marks (or was deleted).
/// </summary>
public sealed class CampaignResults(IDbContextFactory<PortalDbContext> contexts, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A campaign's results: the kept cells, or the kept parts with what changed since (see the class).</summary>
    public Task<CampaignResultsReport?> GetAsync(int campaignId, CancellationToken ct) => ComputeAsync(campaignId, false, ct);

    private async Task<CampaignResultsReport?> ComputeAsync(int campaignId, bool refreshBase, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == campaignId, ct);
        if (campaign is null) return null;

        // One snapshot of the database for the marks and the passes, so a row a pass counted is never
        // also after the marks kept with it (and counted again by the next read's changes).
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        if (db.Database.IsNpgsql())
        {
            // JIT compilation cost a second of a pass that takes a few without it; with the default 4 MB of
            // work memory the planner (over-estimating the groups) sorted 1.9 M rows to disk for two of the
            // ten grouping sets instead of hashing them all (7.9 s instead of 6.5 s for the base part).
            await db.Database.ExecuteSqlRawAsync("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'", ct);
        }
        var marks = (await MarksAsync(db, [campaign.Id], ct))[campaign.Id];
        var now = time.GetUtcNow().UtcDateTime;
        var snapshot = await db.CampaignResultSnapshots.SingleOrDefaultAsync(s => s.CampaignId == campaignId, ct);
        List<ResultCell> cells;
        if (snapshot is not null && !refreshBase && Fresh(campaign, snapshot, marks))
        {
            cells = Cells(snapshot.CellsJson);
        }
        else
        {
            if (snapshot is null)
            {
                snapshot = new CampaignResultSnapshot(campaignId);
                db.CampaignResultSnapshots.Add(snapshot);
            }
            List<ResultCell> baseCells;
            if (!refreshBase && snapshot.BaseStamp == BaseStamp(campaign))
            {
                baseCells = Cells(snapshot.BaseCellsJson);
            }
            else
            {
                baseCells = await CampaignResultsQuery.BaseAsync(db, campaignId, ct);
                snapshot.BaseStamp = BaseStamp(campaign);
                snapshot.BaseComputedAt = now;
                snapshot.BaseCellsJson = JsonSerializer.Serialize(baseCells, Json);
            }
            List<ResultCell> response;
            if (ResponseMarks.Parse(snapshot.Stamp) is { } kept && snapshot.ResponseCellsJson.StartsWith('[') && await NothingLateAsync(db, campaignId, kept, ct))
            {
                response = Sum([.. Cells(snapshot.ResponseCellsJson), .. await CampaignResultsQuery.ResponseChangesAsync(db, campaignId, kept.Delta, kept.Inbound, ct)]);
            }
            else
            {
                response = await CampaignResultsQuery.ResponseAsync(db, campaignId, ct);
            }
            cells = Fold([.. baseCells, .. response], campaign.StartedAt ?? campaign.CreatedAt);
            snapshot.Stamp = marks.ToString();
            snapshot.ResponseCellsJson = JsonSerializer.Serialize(response, Json);
            snapshot.ComputedAt = now;
            snapshot.CellsJson = JsonSerializer.Serialize(cells, Json);
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another reader stored a computation first: the cells in hand are as good.
            }
        }
        return Build(campaign, snapshot.ComputedAt, cells);
    }

    /// <summary>
    /// The job's share, so readers never wait for a pass over every message row once anything is kept:
    /// recomputes the base part of one campaign (the one kept longest ago) whose kept base is of another
    /// status, or is older than <see cref="AnalyticsOptions.ResultsRefreshAfter"/> while receipts still
    /// arrive, or was kept before its receipts settled; or keeps a campaign that settled (finished more
    /// than <see cref="AnalyticsOptions.ReceiptsSettleAfter"/> ago, within the last week) and has nothing
    /// kept. Returns its id, or null when none is due. Called by the attribution job between passes.
    /// </summary>
    public async Task<int?> KeepOneAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var settledBefore = now - o.ReceiptsSettleAfter;
        var since = settledBefore.AddDays(-7);
        int? due;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var recent = await db.Campaigns.AsNoTracking()
                .Where(c => c.Status == CampaignStatus.Sending || c.Status == CampaignStatus.Paused || (c.FinishedAt != null && c.FinishedAt > since))
                .Select(c => new
                {
                    Campaign = c,
                    KeptStamp = db.CampaignResultSnapshots.Where(s => s.CampaignId == c.Id).Select(s => s.BaseStamp).FirstOrDefault(),
                    KeptAt = db.CampaignResultSnapshots.Where(s => s.CampaignId == c.Id).Select(s => (DateTime?)s.BaseComputedAt).FirstOrDefault(),
                })
                .ToListAsync(ct);
            due = recent
                .Where(r =>
                {
                    var settled = r.Campaign.FinishedAt is { } f && f <= settledBefore
                        && r.Campaign.Status is CampaignStatus.Completed or CampaignStatus.Cancelled;
                    if (r.KeptAt is not { } at) return settled;
                    return r.KeptStamp != BaseStamp(r.Campaign)
                        || (Settling(r.Campaign, now) && now - at >= o.ResultsRefreshAfter)
                        || (settled && at < r.Campaign.FinishedAt!.Value + o.ReceiptsSettleAfter);
                })
                .OrderBy(r => r.KeptAt ?? DateTime.MinValue)
                .Select(r => (int?)r.Campaign.Id)
                .FirstOrDefault();
        }
        if (due is { } id) await ComputeAsync(id, true, ct);
        return due;
    }

    /// <summary>Forgets a campaign's kept cells, so the next read recomputes them (after a repair or a re-seed).</summary>
    public async Task InvalidateAsync(int campaignId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.CampaignResultSnapshots.Where(s => s.CampaignId == campaignId).ExecuteDeleteAsync(ct);
    }

    private static List<ResultCell> Cells(string json) => JsonSerializer.Deserialize<List<ResultCell>>(json, Json) ?? [];

    /// <summary>
    /// How far the responders' part has read: the last conversion change and the last reply or opt-out
    /// of the campaign, and how many rows there were up to each.
    /// </summary>
    private readonly record struct ResponseMarks(long Delta, long Deltas, long Inbound, long Inbounds)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Delta}:{Deltas}:{Inbound}:{Inbounds}");

        public static ResponseMarks? Parse(string stamp)
        {
            var p = stamp.Split(':');
            return p.Length == 4 && p.All(x => long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                ? new ResponseMarks(long.Parse(p[0], CultureInfo.InvariantCulture), long.Parse(p[1], CultureInfo.InvariantCulture),
                    long.Parse(p[2], CultureInfo.InvariantCulture), long.Parse(p[3], CultureInfo.InvariantCulture))
                : null;
        }
    }

    private static IQueryable<InboundMessage> Responses(PortalDbContext db) =>
        db.InboundMessages.Where(i => i.ClientId != null && (i.Kind == InboundKind.Reply || i.Kind == InboundKind.OptOut));

    /// <summary>The marks of several campaigns in two grouped index-range queries (the across-campaigns report reads 50 at once).</summary>
    private static async Task<Dictionary<int, ResponseMarks>> MarksAsync(PortalDbContext db, IReadOnlyList<int> ids, CancellationToken ct)
    {
        var deltas = await db.ConversionDeltas.Where(d => ids.Contains(d.CampaignId))
            .GroupBy(d => d.CampaignId).Select(g => new { Id = g.Key, Max = g.Max(d => d.Id), N = g.LongCount() }).ToDictionaryAsync(g => g.Id, ct);
        var inbound = await Responses(db).Where(i => i.CampaignId != null && ids.Contains(i.CampaignId.Value))
            .GroupBy(i => i.CampaignId!.Value).Select(g => new { Id = g.Key, Max = g.Max(i => i.Id), N = g.LongCount() }).ToDictionaryAsync(g => g.Id, ct);
        return ids.ToDictionary(id => id, id => new ResponseMarks(
            deltas.GetValueOrDefault(id)?.Max ?? 0, deltas.GetValueOrDefault(id)?.N ?? 0,
            inbound.GetValueOrDefault(id)?.Max ?? 0, inbound.GetValueOrDefault(id)?.N ?? 0));
    }

    /// <summary>
    /// No row committed at or before the kept marks after they were taken (ids are taken in order,
    /// commits are not) and none deleted: then the changes after the marks are all that changed.
    /// </summary>
    private static async Task<bool> NothingLateAsync(PortalDbContext db, int campaignId, ResponseMarks kept, CancellationToken ct) =>
        await db.ConversionDeltas.LongCountAsync(d => d.CampaignId == campaignId && d.Id <= kept.Delta, ct) == kept.Deltas
        && await Responses(db).LongCountAsync(i => i.CampaignId == campaignId && i.Id <= kept.Inbound, ct) == kept.Inbounds;

    /// <summary>What the base part (recipients, delivery, cost) depends on besides the passing of receipts.</summary>
    private static string BaseStamp(Campaign campaign) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)campaign.Status}:{campaign.FinishedAt?.Ticks ?? 0}");

    /// <summary>
    /// Several campaigns' results: the kept cells of every unchanged one in one read, the changed ones
    /// recomputed one by one (<see cref="GetAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<CampaignResultsReport>> GetManyAsync(IReadOnlyList<int> campaignIds, CancellationToken ct)
    {
        var reports = new Dictionary<int, CampaignResultsReport>();
        var stale = new List<int>();
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var campaigns = await db.Campaigns.AsNoTracking().Where(c => campaignIds.Contains(c.Id)).ToListAsync(ct);
            var marks = await MarksAsync(db, campaigns.Select(c => c.Id).ToList(), ct);
            var snapshots = await db.CampaignResultSnapshots.AsNoTracking().Where(s => campaignIds.Contains(s.CampaignId)).ToDictionaryAsync(s => s.CampaignId, ct);
            foreach (var campaign in campaigns)
            {
                if (snapshots.TryGetValue(campaign.Id, out var snapshot) && Fresh(campaign, snapshot, marks[campaign.Id]))
                {
                    reports[campaign.Id] = Build(campaign, snapshot.ComputedAt, Cells(snapshot.CellsJson));
                }
                else
                {
                    stale.Add(campaign.Id);
                }
            }
        }
        foreach (var id in stale)
        {
            if (await GetAsync(id, ct) is { } report) reports[id] = report;
        }
        return campaignIds.Where(reports.ContainsKey).Select(id => reports[id]).ToList();
    }

    /// <summary>
    /// The kept cells answer a read: no conversion, reply or opt-out since, and the kept base part is of
    /// the campaign's status (its refresh while receipts arrive is the job's: <see cref="KeepOneAsync"/>).
    /// </summary>
    private static bool Fresh(Campaign campaign, CampaignResultSnapshot snapshot, ResponseMarks marks) =>
        snapshot.Stamp == marks.ToString() && snapshot.BaseStamp == BaseStamp(campaign);

    /// <summary>Receipts may still change the base part: sending, paused, or finished less than <see cref="AnalyticsOptions.ReceiptsSettleAfter"/> ago.</summary>
    private bool Settling(Campaign campaign, DateTime now) =>
        campaign.Status is CampaignStatus.Sending or CampaignStatus.Paused
        || (campaign.FinishedAt is { } f && now - f < options.Value.ReceiptsSettleAfter);

    /// <summary>One row of the results: a group's sent and control cells and the uplift between them.</summary>
    internal static ResultRow Row(string dim, string val, IEnumerable<ResultCell> group)
    {
        var list = group.ToList();
        var sent = list.FirstOrDefault(c => !c.IsControl) ?? Empty(dim, val, false);
        var control = list.FirstOrDefault(c => c.IsControl) ?? Empty(dim, val, true);
        var uplift = UpliftCalculator.Compute(Outcome(sent), Outcome(control));
        return new ResultRow(dim, val, sent, control, uplift);
    }

    private static CampaignResultsReport Build(Campaign campaign, DateTime computedAt, List<ResultCell> cells)
    {
        var total = Row(ResultDimensions.Total, "", cells.Where(c => c.Dimension == ResultDimensions.Total));
        var breakdown = cells.Where(c => c.Dimension != ResultDimensions.Total)
            .GroupBy(c => (c.Dimension, c.Value))
            .Select(g => Row(g.Key.Dimension, g.Key.Value, g))
            .OrderBy(r => ResultDimensionsOrder(r.Dimension))
            .ThenBy(r => r.Value.Length == 0 ? 1 : 0)
            .ThenBy(r => int.TryParse(r.Value, out var n) ? n.ToString("D6", CultureInfo.InvariantCulture) : r.Value, StringComparer.Ordinal)
            .ToList();
        return new CampaignResultsReport(campaign.Id, campaign.Name, campaign.DepartmentId, campaign.Status, campaign.Goal,
            campaign.Settings.ControlGroupPercent, computedAt, total, breakdown);
    }

    private static int ResultDimensionsOrder(string dimension)
    {
        var i = ResultDimensions.Breakdowns.ToList().IndexOf(dimension);
        return i < 0 ? int.MaxValue : i;
    }

    public static GroupOutcome Outcome(ResultCell cell) =>
        new(cell.Recipients, cell.Conversions, cell.RevenueMinor / 100m, cell.RevenueSquaresMinor / 10_000d);

    private static ResultCell Empty(string dim, string val, bool control) => new(dim, val, control, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// Turns the raw keys into what people read: (time zone, UTC hour) into the local send hour at the
    /// campaign's start, birth year into an age band. Cells that land on the same value are summed.
    /// </summary>
    internal static List<ResultCell> Fold(List<ResultCell> raw, DateTime startedAtUtc)
    {
        var folded = new List<ResultCell>();
        foreach (var c in raw)
        {
            switch (c.Dimension)
            {
                case "utchour":
                    folded.Add(c with { Dimension = ResultDimensions.LocalHour, Value = LocalHour(c.Value, startedAtUtc) });
                    break;
                case ResultDimensions.AgeBand:
                    folded.Add(c with { Value = AgeBand(c.Value, startedAtUtc.Year) });
                    break;
                default:
                    folded.Add(c);
                    break;
            }
        }
        return Sum(folded);
    }

    /// <summary>Cells of the same (breakdown, value, group) added up.</summary>
    internal static List<ResultCell> Sum(IEnumerable<ResultCell> cells)
    {
        return cells.GroupBy(c => (c.Dimension, c.Value, c.IsControl))
            .Select(g => g.Aggregate((a, b) => a with
            {
                Recipients = a.Recipients + b.Recipients,
                Delivered = a.Delivered + b.Delivered,
                Replied = a.Replied + b.Replied,
                OptedOut = a.OptedOut + b.OptedOut,
                Conversions = a.Conversions + b.Conversions,
                RevenueMinor = a.RevenueMinor + b.RevenueMinor,
                RevenueSquaresMinor = a.RevenueSquaresMinor + b.RevenueSquaresMinor,
                Cost = a.Cost + b.Cost,
            }))
            .ToList();
    }

    private static string LocalHour(string key, DateTime startedAtUtc)
    {
        var bar = key.LastIndexOf('|');
        if (bar < 0 || !int.TryParse(key[(bar + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var hour)) return "";
        var zone = key[..bar];
        TimeSpan offset;
        try
        {
            offset = TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(DateTime.SpecifyKind(startedAtUtc, DateTimeKind.Utc));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            offset = TimeSpan.FromHours(3); // the product's default zone, Europe/Moscow
        }
        // Whole-hour zones (all of Russia's): the local hour is exact; a half-hour zone rounds down.
        var local = ((hour + (int)Math.Floor(offset.TotalHours)) % 24 + 24) % 24;
        return local.ToString("D2", CultureInfo.InvariantCulture);
    }

    public static readonly IReadOnlyList<string> AgeBands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

    private static string AgeBand(string bornYear, int year)
    {
        if (!int.TryParse(bornYear, NumberStyles.Integer, CultureInfo.InvariantCulture, out var born)) return "";
        // Age by birth year at the campaign's start: a band edge is at most a year off, the same for both groups.
        var age = year - born;
        return age switch
        {
            < 25 => AgeBands[0],
            < 35 => AgeBands[1],
            < 45 => AgeBands[2],
            < 55 => AgeBands[3],
            < 65 => AgeBands[4],
            _ => AgeBands[5],
        };
    }
}
