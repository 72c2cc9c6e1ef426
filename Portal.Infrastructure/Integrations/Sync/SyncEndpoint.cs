using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>Where a source is and how to get in: stored encrypted, whole, in <see cref="SyncSource.Location"/>.</summary>
public sealed record SyncEndpoint(string? ConnectionString, string? Url, string? Token)
{
    /// <summary>What the UI may show: host and database, or the URL without its query string; never a secret.</summary>
    public string Describe(SyncSourceKind kind)
    {
        if (kind == SyncSourceKind.Postgres)
        {
            try
            {
                var b = new NpgsqlConnectionStringBuilder(ConnectionString);
                return $"{b.Host}:{b.Port}/{b.Database}";
            }
            catch (ArgumentException)
            {
                return "?";
            }
        }
        return Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "?";
    }
}

/// <summary>
/// Encrypts endpoints with ASP.NET Core Data Protection (purpose "Portal.SyncSource"), so the
/// database never holds a source's password or token in clear. The key ring lives under
/// <c>App_Data/keys</c> in the embedded default and under <c>DataProtection:KeysPath</c> in production.
/// </summary>
public sealed class SyncSecrets(IDataProtectionProvider provider)
{
    public const string Purpose = "Portal.SyncSource";
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(SyncEndpoint endpoint) => _protector.Protect(JsonSerializer.Serialize(endpoint));

    /// <exception cref="InvalidDataException">Encrypted with a key this node does not have.</exception>
    public SyncEndpoint Unprotect(string location)
    {
        try
        {
            return JsonSerializer.Deserialize<SyncEndpoint>(_protector.Unprotect(location)) ?? new SyncEndpoint(null, null, null);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidDataException("The source's stored credentials cannot be decrypted on this node: check the Data Protection key ring (DataProtection:KeysPath), or enter them again.");
        }
    }
}
