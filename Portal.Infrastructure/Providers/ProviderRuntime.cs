using System.Collections.Concurrent;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// One provider as its connection uses it: the stored settings parsed once, the password and callback
/// secret decrypted, speed and binds cut to this node's share. <see cref="Version"/> changes exactly when
/// one of those changed, so <see cref="ProviderConnections"/> keeps a connection while the version it was
/// built from is current and replaces it when a newer one comes (issue 21: it compared JSON texts).
/// Never serialized: the secrets in it exist in clear only in memory.
/// </summary>
public sealed record ProviderRuntime(int ProviderId, string Name, long Version, ProviderSettings Settings);

/// <summary>
/// The registry boundary of the router: where a provider row's stored, encrypted SettingsJson becomes
/// typed settings and a <see cref="ProviderRuntime"/>. The text is parsed and the secrets decrypted only
/// when the stored row or this node's share changed since the last read (not on every 10 s refresh);
/// everything after this point passes the records. A row that cannot be decrypted is tried again on
/// the next read.
/// </summary>
internal sealed class ProviderRuntimes(ProviderSecrets secrets)
{
    // Process-wide, so two readers (two routers in one process, in tests) never hand out the same
    // version for different settings of one provider: the connections are shared.
    private static long s_versions;

    private readonly ConcurrentDictionary<int, Entry> _known = new();

    private sealed record Entry(string StoredJson, ProviderSettings Stored, ProviderSettings? Decrypted, int Nodes, ProviderRuntime? Runtime);

    /// <summary>The row's stored settings, parsed (for routing: operators, host; secrets still encrypted).</summary>
    public ProviderSettings StoredOf(SmsProvider row) => EntryOf(row).Stored;

    /// <summary>The row's runtime for <paramref name="nodes"/> live sender nodes; the same record while nothing changed.</summary>
    /// <exception cref="InvalidDataException">A secret is encrypted with a key this node does not have.</exception>
    public ProviderRuntime RuntimeOf(SmsProvider row, int nodes)
    {
        var entry = EntryOf(row);
        if (entry.Runtime is { } known && entry.Nodes == nodes)
        {
            if (known.Name == row.Name) return known;
            // A rename alone is no new version: the connection keeps running (it never reconnected for one).
            known = known with { Name = row.Name };
            _known[row.Id] = entry with { Runtime = known };
            return known;
        }
        var decrypted = entry.Decrypted ?? secrets.Decrypt(entry.Stored);
        var runtime = new ProviderRuntime(row.Id, row.Name, Interlocked.Increment(ref s_versions), decrypted.ShareOf(nodes));
        _known[row.Id] = entry with { Decrypted = decrypted, Nodes = nodes, Runtime = runtime };
        return runtime;
    }

    /// <summary>Forgets the providers no longer in the registry.</summary>
    public void Keep(IEnumerable<int> providerIds)
    {
        var keep = providerIds.ToHashSet();
        foreach (var id in _known.Keys)
        {
            if (!keep.Contains(id)) _known.TryRemove(id, out _);
        }
    }

    private Entry EntryOf(SmsProvider row)
    {
        if (_known.TryGetValue(row.Id, out var entry) && string.Equals(entry.StoredJson, row.SettingsJson, StringComparison.Ordinal)) return entry;
        // The stored row changed (or is new here): parse it; its secrets are decrypted when a runtime is asked for.
        entry = new Entry(row.SettingsJson, ProviderSettings.Parse(row.SettingsJson), null, 0, null);
        _known[row.Id] = entry;
        return entry;
    }
}
