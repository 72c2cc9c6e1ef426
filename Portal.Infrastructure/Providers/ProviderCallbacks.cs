using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Providers;

/// <summary>What a callback endpoint needs of an HTTP provider: how to read it and how to check it.</summary>
public sealed record CallbackProvider(int Id, string Name, HttpProviderSettings Settings, string? Secret);

/// <summary>
/// The HTTP providers as their callbacks see them, cached for 10 s and dropped on any registry
/// change (a receipt per message must not cost a database read and a decryption each), plus the
/// provider authentication: a shared secret or an HMAC-SHA256 of the raw body, both compared in
/// fixed time so the answer's timing says nothing about the secret.
/// </summary>
public sealed class ProviderCallbacks(IDbContextFactory<PortalDbContext> contexts, ProviderSecrets secrets, ProviderRegistryVersion version,
    ILogger<ProviderCallbacks> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private volatile Cache? _cache;

    private sealed record Cache(IReadOnlyDictionary<int, CallbackProvider> Providers, long LoadedAt, int Version);

    /// <summary>The HTTP provider with this id, or null (unknown, or not an HTTP provider).</summary>
    public async ValueTask<CallbackProvider?> FindAsync(int providerId, CancellationToken ct)
    {
        var cache = _cache;
        if (cache is null || cache.Version != version.Current || Environment.TickCount64 - cache.LoadedAt > CacheFor.TotalMilliseconds)
        {
            var v = version.Current;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var rows = await db.Providers.AsNoTracking().Where(p => p.Kind == ProviderKind.Http).Select(p => new { p.Id, p.Name, p.SettingsJson }).ToListAsync(ct);
            var providers = new Dictionary<int, CallbackProvider>();
            foreach (var row in rows)
            {
                var settings = ProviderSettings.Parse(row.SettingsJson);
                string? secret = null;
                try
                {
                    secret = settings.CallbackSecretProtected is { Length: > 0 } p ? secrets.Unprotect(p) : null;
                }
                catch (InvalidDataException e)
                {
                    // Without its secret every callback of this provider is refused (401), never accepted unchecked.
                    logger.LogError("Provider {Provider}: callback secret unreadable: {Error}", row.Name, e.Message);
                }
                providers[row.Id] = new CallbackProvider(row.Id, row.Name, settings.Http ?? new HttpProviderSettings(), secret);
            }
            cache = new Cache(providers, Environment.TickCount64, v);
            _cache = cache;
        }
        return cache.Providers.GetValueOrDefault(providerId);
    }

    /// <summary>
    /// How the request proves it comes from the provider: <paramref name="presentedSecret"/> equals
    /// the secret, or <paramref name="signatureHex"/> is HMAC-SHA256(secret, raw body) in hex. A
    /// signature only counts over a non-empty body: HMAC of nothing is one fixed value that would
    /// vouch for any query string. A provider without a secret accepts nothing.
    /// </summary>
    public static CallbackAuthentication Authenticate(string? secret, string? presentedSecret, string? signatureHex, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(secret)) return CallbackAuthentication.None;
        var key = Encoding.UTF8.GetBytes(secret);
        if (!string.IsNullOrEmpty(presentedSecret) && CryptographicOperations.FixedTimeEquals(key, Encoding.UTF8.GetBytes(presentedSecret)))
            return CallbackAuthentication.Secret;
        if (string.IsNullOrEmpty(signatureHex) || body.IsEmpty) return CallbackAuthentication.None;
        var hex = signatureHex.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) ? signatureHex[7..] : signatureHex;
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return CallbackAuthentication.None;
        }
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? CallbackAuthentication.Signature : CallbackAuthentication.None;
    }

    /// <summary>The signature a provider sends for <paramref name="body"/> (tests and the editor's help).</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}

/// <summary>How a callback proved itself. With <see cref="Signature"/> only the signed body is read, never the query string.</summary>
public enum CallbackAuthentication
{
    None,
    Secret,
    Signature,
}
