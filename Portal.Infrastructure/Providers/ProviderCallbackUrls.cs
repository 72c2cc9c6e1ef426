using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// Where providers call back: <c>Providers:CallbackBaseUrl</c>, else the address this app listens
/// on (a wildcard host becomes localhost), else the embedded default's <c>http://localhost:5080</c>.
/// A provider outside the host needs the configured public address.
/// </summary>
public sealed class ProviderCallbackUrls(IOptions<ProvidersOptions> options, IServiceProvider services)
{
    public const string DefaultBaseUrl = "http://localhost:5080";

    public string BaseUrl
    {
        get
        {
            if (options.Value.CallbackBaseUrl is { Length: > 0 } configured) return configured.TrimEnd('/');
            var address = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is null) return DefaultBaseUrl;
            return address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal).TrimEnd('/');
        }
    }

    public string Receipts(int providerId) => string.Create(CultureInfo.InvariantCulture, $"{BaseUrl}/api/providers/{providerId}/receipts");

    public string Inbound(int providerId) => string.Create(CultureInfo.InvariantCulture, $"{BaseUrl}/api/providers/{providerId}/inbound");
}
