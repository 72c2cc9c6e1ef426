using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Each provider's <see cref="ReceiptPolicy"/> as the receipt processor needs it: read from the
/// registry at most every 10 s, and again at once after a registry change on this node (the way
/// <see cref="LeastCostMessageRouter"/> caches its rows). Kept here rather than carried in each
/// <see cref="ReceiptItem"/> so every source of receipts (the SMPP pump, HTTP callbacks, orphans
/// re-applied by the sweeper) is combined by the same, current rule, including receipts already
/// queued when an administrator changes it.
/// </summary>
public sealed class ReceiptPolicies(IDbContextFactory<PortalDbContext> contexts, ProviderRegistryVersion version)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private sealed record Snapshot(IReadOnlyDictionary<int, ReceiptPolicy> Policies, long LoadedAt, int Version);

    private volatile Snapshot? _snapshot;

    /// <summary>Provider id to policy; a provider missing here (deleted meanwhile) gets <see cref="ReceiptPolicy.FirstPart"/>.</summary>
    public async ValueTask<IReadOnlyDictionary<int, ReceiptPolicy>> GetAsync(CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && snapshot.Version == version.Current && Environment.TickCount64 - snapshot.LoadedAt < CacheFor.TotalMilliseconds)
        {
            return snapshot.Policies;
        }
        var v = version.Current;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Providers.AsNoTracking().Select(p => new { p.Id, p.SettingsJson }).ToListAsync(ct);
        var policies = rows.ToDictionary(r => r.Id, r => ProviderSettings.Parse(r.SettingsJson).ReceiptPolicy);
        _snapshot = new Snapshot(policies, Environment.TickCount64, v);
        return policies;
    }
}
