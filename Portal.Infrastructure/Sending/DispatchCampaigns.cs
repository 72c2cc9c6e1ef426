using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Templates;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>What a sender needs of a campaign: its settings and template compiled once, and its speed pacer.</summary>
public sealed class DispatchCampaign(Campaign campaign, CompiledTemplate? template, string? templateError)
{
    public Campaign Campaign { get; } = campaign;
    public CompiledTemplate? Template { get; } = template;
    public string? TemplateError { get; } = templateError;
    internal SpeedPacer Pacer { get; } = new();
}

/// <summary>
/// Per node: campaigns being sent, and their status read from the database at most once per
/// <see cref="SendingOptions.StatusCacheTime"/>, which is how a pause on any node reaches every
/// sender within about a second without a fan-out.
/// </summary>
public sealed class DispatchCampaigns(IDbContextFactory<PortalDbContext> contexts, TemplateEngine engine, IOptions<SendingOptions> options)
{
    private readonly ConcurrentDictionary<int, DispatchCampaign> _campaigns = new();
    private readonly ConcurrentDictionary<int, (CampaignStatus Status, long At)> _status = new();

    public async ValueTask<DispatchCampaign?> GetAsync(int campaignId, CancellationToken ct)
    {
        if (_campaigns.TryGetValue(campaignId, out var cached)) return cached;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, ct);
        if (campaign is null) return null;
        CompiledTemplate? template = null;
        string? error = null;
        try
        {
            template = engine.Compile(campaign.Settings.Body);
        }
        catch (TemplateSyntaxException e)
        {
            error = e.Message;
        }
        return _campaigns.GetOrAdd(campaignId, new DispatchCampaign(campaign, template, error));
    }

    public async ValueTask<CampaignStatus?> StatusAsync(int campaignId, CancellationToken ct)
    {
        if (Fresh(campaignId) is { } cached) return cached;
        // Every submit asks; when the entry goes stale only one of them reads the database.
        await _refresh.WaitAsync(ct);
        try
        {
            return Fresh(campaignId) ?? await ReadStatusAsync(campaignId, ct);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private readonly SemaphoreSlim _refresh = new(1, 1);

    private CampaignStatus? Fresh(int campaignId) =>
        _status.TryGetValue(campaignId, out var s) && Environment.TickCount64 - s.At < (long)options.Value.StatusCacheTime.TotalMilliseconds ? s.Status : null;

    private async Task<CampaignStatus?> ReadStatusAsync(int campaignId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var status = await db.Campaigns.Where(c => c.Id == campaignId).Select(c => (CampaignStatus?)c.Status).FirstOrDefaultAsync(ct);
        if (status is null) return null;
        _status[campaignId] = (status.Value, Environment.TickCount64);
        if (status is CampaignStatus.Completed or CampaignStatus.Cancelled or CampaignStatus.Failed) _campaigns.TryRemove(campaignId, out _);
        return status;
    }

    /// <summary>Forget the cached status (this node changed it itself).</summary>
    public void Invalidate(int campaignId) => _status.TryRemove(campaignId, out _);
}

/// <summary>Spaces submissions of one campaign evenly to this node's share of its speed limit.</summary>
internal sealed class SpeedPacer
{
    private long _next;

    /// <param name="nodes">Live sender nodes: each gets limit / nodes per second (fractional: 1/s over 3 nodes is one per 3 s each).</param>
    public async ValueTask WaitAsync(int? perSecond, int nodes, CancellationToken ct)
    {
        if (perSecond is not > 0) return;
        var interval = Interval(perSecond.Value, nodes);
        long slot;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var next = Interlocked.Read(ref _next);
            slot = Math.Max(next, now);
            if (Interlocked.CompareExchange(ref _next, slot + interval, next) == next) break;
        }
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
    }

    /// <summary>Stopwatch ticks between two submits of this node.</summary>
    internal static long Interval(int perSecond, int nodes) => Stopwatch.Frequency * Math.Max(nodes, 1) / perSecond;
}
