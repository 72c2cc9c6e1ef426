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
/// Also each provider's name, the <c>provider</c> label of the receipt metrics (issue 22): read
/// from this host's database, never from a process-wide map (several hosts in one process, as in
/// the tests, number their providers alike).
/// </summary>
public sealed class ReceiptPolicies(IDbContextFactory<PortalDbContext> contexts, ProviderRegistryVersion version)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private sealed record Snapshot(IReadOnlyDictionary<int, ReceiptPolicy> Policies, IReadOnlyDictionary<int, string> Names, long LoadedAt, int Version);

    private volatile Snapshot? _snapshot;

    /// <summary>Provider id to policy; a provider missing here (deleted meanwhile) gets <see cref="ReceiptPolicy.FirstPart"/>.</summary>
    public async ValueTask<IReadOnlyDictionary<int, ReceiptPolicy>> GetAsync(CancellationToken ct) => (await SnapshotAsync(ct)).Policies;

    /// <summary>Provider id to name (the metrics' provider label).</summary>
    public async ValueTask<IReadOnlyDictionary<int, string>> NamesAsync(CancellationToken ct) => (await SnapshotAsync(ct)).Names;

    /// <summary>A provider's name as last read, or <c>provider-{id}</c> before the first read or for a deleted provider.</summary>
    public string NameOf(int? providerId) =>
        providerId is not { } id ? "none"
        : _snapshot?.Names.GetValueOrDefault(id) ?? "provider-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async ValueTask<Snapshot> SnapshotAsync(CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && snapshot.Version == version.Current && Environment.TickCount64 - snapshot.LoadedAt < CacheFor.TotalMilliseconds)
        {
            return snapshot;
        }
        var v = version.Current;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Providers.AsNoTracking().Select(p => new { p.Id, p.Name, p.SettingsJson }).ToListAsync(ct);
        snapshot = new Snapshot(rows.ToDictionary(r => r.Id, r => ProviderSettings.Parse(r.SettingsJson).ReceiptPolicy),
            rows.ToDictionary(r => r.Id, r => r.Name), Environment.TickCount64, v);
        _snapshot = snapshot;
        return snapshot;
    }
}
