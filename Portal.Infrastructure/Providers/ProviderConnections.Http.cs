using System.Collections.Concurrent;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// The HTTP half: an HTTP provider has no connection to keep, only a sender built from its
/// settings (rebuilt when they change). Receipts and inbound SMS arrive at the callback endpoints.
/// </summary>
public sealed partial class ProviderConnections
{
    private readonly ConcurrentDictionary<int, (long Version, HttpSmsSender Sender)> _http = new();

    /// <summary>HTTP providers this node has a sender for (issue 22: a node with one is ready to send).</summary>
    public int HttpSenders => _http.Count;

    /// <summary>The HTTP providers this node has a sender for, with their counters (the dashboard publishes them).</summary>
    public IReadOnlyList<(int ProviderId, HttpSenderStatistics Statistics)> HttpConnected() =>
        _http.Select(h => (h.Key, h.Value.Sender.Statistics)).ToList();

    /// <summary>The HTTP sender of the provider (rebuilt for a newer version), or null when it is an SMPP provider.</summary>
    private HttpSmsSender? HttpSenderOf(ProviderRuntime runtime)
    {
        var providerId = runtime.ProviderId;
        if (_http.TryGetValue(providerId, out var known) && known.Version >= runtime.Version) return known.Sender;
        if (_connections.ContainsKey(providerId)) return null;
        if (runtime.Settings.Http is null) return null;
        if (httpSenders is null) throw new InvalidOperationException("HTTP providers need HttpProviderSenders (AddPortalProviders registers it).");
        var sender = httpSenders.Create(runtime, known.Sender?.Statistics);
        _http[providerId] = (runtime.Version, sender);
        return sender;
    }
}
