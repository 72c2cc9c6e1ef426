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
/// The HTTP providers as their callbacks see them (parsed and decrypted at the registry boundary,
/// <see cref="ProviderRuntimes"/>, only when a row changed), cached for 10 s and dropped on any registry
/// change (a receipt per message must not cost a database read and a decryption each), plus the
/// provider authentication: a shared secret or an HMAC-SHA256 of the raw body, both compared in
/// fixed time so the answer's timing says nothing about the secret.
/// </summary>
public sealed class ProviderCallbacks(IDbContextFactory<PortalDbContext> contexts, ProviderSecrets secrets, ProviderRegistryVersion version,
    ILogger<ProviderCallbacks> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private readonly ProviderRuntimes _runtimes = new(secrets);
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
            var rows = await db.Providers.AsNoTracking().Where(p => p.Kind == ProviderKind.Http).ToListAsync(ct);
            var providers = new Dictionary<int, CallbackProvider>();
            foreach (var row in rows)
            {
                // The registry boundary (ProviderRuntimes): parsed and decrypted only when the stored row changed.
                ProviderSettings settings;
                try
                {
                    settings = _runtimes.RuntimeOf(row, nodes: 1).Settings;
                }
                catch (InvalidDataException e)
                {
                    // Without its secret every callback of this provider is refused (401), never accepted unchecked.
                    logger.LogError("Provider {Provider}: callback secret unreadable: {Error}", row.Name, e.Message);
                    settings = _runtimes.StoredOf(row) with { CallbackSecret = null };
                }
                providers[row.Id] = new CallbackProvider(row.Id, row.Name, settings.Http ?? new HttpProviderSettings(),
                    settings.CallbackSecret is { Length: > 0 } secret ? secret : null);
            }
            _runtimes.Keep(providers.Keys);
            cache = new Cache(providers, Environment.TickCount64, v);
            _cache = cache;
        }
        return cache.Providers.GetValueOrDefault(providerId);
    }

    /// <summary>How far a signed callback's timestamp may be from our clock, either way.</summary>
    public static readonly TimeSpan SignatureWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How the request proves it comes from the provider (issue 14): the secret in a header (never
    /// the query string, which lands in proxy and gateway logs), or a signature: HMAC-SHA256 over
    /// "timestamp.id.body" with the timestamp (Unix seconds) within <see cref="SignatureWindow"/>
    /// and a callback id the caller then records once, so a captured request cannot be replayed.
    /// Everything secret is compared in fixed time. A provider without a secret accepts nothing.
    /// </summary>
    public static CallbackAuthentication Authenticate(string? secret, string? headerSecret, string? signatureHex, string? timestamp, string? callbackId,
        ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret)) return CallbackAuthentication.None;
        var key = Encoding.UTF8.GetBytes(secret);
        if (!string.IsNullOrEmpty(headerSecret) && CryptographicOperations.FixedTimeEquals(key, Encoding.UTF8.GetBytes(headerSecret)))
            return CallbackAuthentication.Secret;
        if (string.IsNullOrEmpty(signatureHex) || string.IsNullOrEmpty(callbackId) || callbackId.Length > 100
            || !long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var unix)
            || unix > 253_402_300_799 || (now - DateTimeOffset.FromUnixTimeSeconds(unix)).Duration() > SignatureWindow)
            return CallbackAuthentication.None;
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
        var expected = HMACSHA256.HashData(key, SignedBytes(timestamp!, callbackId, body));
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? CallbackAuthentication.Signature : CallbackAuthentication.None;
    }

    private static byte[] SignedBytes(string timestamp, string callbackId, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.{callbackId}.");
        var all = new byte[prefix.Length + body.Length];
        prefix.CopyTo(all, 0);
        body.CopyTo(all.AsSpan(prefix.Length));
        return all;
    }

    /// <summary>The signature a provider sends (tests and the docs' example).</summary>
    public static string Sign(string secret, string timestamp, string callbackId, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), SignedBytes(timestamp, callbackId, body)));

    /// <summary>
    /// The narrow alternative for gateways that can only call a URL (Kannel's dlr-url and
    /// get-url send no custom headers): a token derived from the secret for one scope, so the URL
    /// in a gateway's log reveals neither the secret nor anything it could be used for elsewhere.
    /// A receipt token is bound to one message id; an inbound token to that provider's inbound
    /// endpoint only. 128 bits of HMAC-SHA256.
    /// </summary>
    public static string UrlToken(string secret, string scope) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(scope)))[..32];

    public static string ReceiptScope(int providerId, string messageId) => $"receipt:{providerId}:{messageId}";

    public static string InboundScope(int providerId) => $"inbound:{providerId}";

    /// <summary>True when <paramref name="presented"/> is the URL token of <paramref name="scope"/>.</summary>
    public static bool CheckUrlToken(string? secret, string? presented, string scope) =>
        !string.IsNullOrEmpty(secret) && presented is { Length: 32 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(UrlToken(secret, scope)), Encoding.ASCII.GetBytes(presented.ToLowerInvariant()));
}

/// <summary>How a callback proved itself. With <see cref="Signature"/> only the signed body is read, never the query string.</summary>
public enum CallbackAuthentication
{
    None,
    Secret,
    Signature,
    /// <summary>A scoped URL token (<see cref="ProviderCallbacks.UrlToken"/>): only the query string is read, for its one scope.</summary>
    UrlToken,
}
