using Microsoft.Extensions.Logging;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// Makes <see cref="HttpSmsSender"/>s for <see cref="ProviderConnections"/>. All HTTP providers
/// share one <see cref="HttpClient"/> from the factory's named client <see cref="ClientName"/>
/// (pooled connections renewed every two minutes, no redirects, no request logging).
/// </summary>
public sealed class HttpProviderSenders(IHttpClientFactory clients, ProviderCallbackUrls urls, ILoggerFactory loggers)
{
    public const string ClientName = "portal-sms-providers";

    private readonly Lazy<HttpClient> _http = new(() => clients.CreateClient(ClientName));

    public ProviderCallbackUrls Urls => urls;

    /// <summary>A sender for one provider's runtime settings (password and callback secret decrypted, this node's share of the speed).</summary>
    internal HttpSmsSender Create(ProviderRuntime runtime, HttpSenderStatistics? statistics = null)
    {
        var s = runtime.Settings;
        var settings = s.Http ?? throw new InvalidOperationException("Not an HTTP provider.");
        var options = new HttpSenderOptions(runtime.ProviderId, runtime.Name, settings, s.Password, s.CallbackSecret, s.MaxPartsPerSecond, urls.BaseUrl, s.SupportsFlash);
        return new HttpSmsSender(_http.Value, options, loggers.CreateLogger<HttpSmsSender>(), statistics);
    }
}
