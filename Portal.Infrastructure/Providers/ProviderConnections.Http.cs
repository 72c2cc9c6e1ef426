using System.Collections.Concurrent;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// The HTTP half: an HTTP provider has no connection to keep, only a sender built from its
/// settings (rebuilt when they change). Receipts and inbound SMS arrive at the callback endpoints.
/// </summary>
public sealed partial class ProviderConnections
{
    private readonly ConcurrentDictionary<int, (string SettingsJson, HttpSmsSender Sender)> _http = new();

    /// <summary>HTTP providers this node has a sender for (issue 22: a node with one is ready to send).</summary>
    public int HttpSenders => _http.Count;

    /// <summary>The HTTP providers this node has a sender for, with their counters (the dashboard publishes them).</summary>
    public IReadOnlyList<(int ProviderId, HttpSenderStatistics Statistics)> HttpConnected() =>
        _http.Select(h => (h.Key, h.Value.Sender.Statistics)).ToList();

    /// <summary>The HTTP sender of <paramref name="providerId"/>, or null when it is an SMPP provider.</summary>
    private HttpSmsSender? HttpSenderOf(int providerId, string name, string settingsJson)
    {
        if (_http.TryGetValue(providerId, out var known) && known.SettingsJson == settingsJson) return known.Sender;
        if (_connections.ContainsKey(providerId)) return null;
        var settings = ProviderSettings.Parse(settingsJson);
        if (settings.Http is null) return null;
        if (httpSenders is null) throw new InvalidOperationException("HTTP providers need HttpProviderSenders (AddPortalProviders registers it).");
        var sender = httpSenders.Create(providerId, name, settings, known.Sender?.Statistics);
        _http[providerId] = (settingsJson, sender);
        return sender;
    }
}
