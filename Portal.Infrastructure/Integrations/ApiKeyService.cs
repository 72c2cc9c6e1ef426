using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Integrations;

/// <summary>A key as the admin UI lists it: never the secret nor its hash.</summary>
public sealed record ApiKeyRow(int Id, string Name, string Prefix, IReadOnlyList<string> Scopes, int RequestsPerMinute,
    string CreatedBy, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt, int? DailyQuota = null, string? CallbackUrl = null, bool HasCallbackSecret = false);

/// <summary>The send settings an administrator edits for one key (issue 19).</summary>
public sealed record ApiKeySendSettings(int RequestsPerMinute, int? DailyQuota, string? CallbackUrl, bool RotateSecret);

/// <summary>A key that proved itself: what the API may let it do.</summary>
public sealed record AuthenticatedApiKey(int Id, string Name, string Prefix, IReadOnlyList<string> Scopes, int RequestsPerMinute, int? DailyQuota = null);

/// <summary>The outcome of checking a presented key; <see cref="Failure"/> is safe to show the caller.</summary>
public sealed record ApiKeyCheck(AuthenticatedApiKey? Key, string? Failure);

/// <summary>
/// Creates, lists, revokes and checks integration keys. A key reads <c>pk_&lt;prefix&gt;_&lt;secret&gt;</c>:
/// the prefix finds the row, only the SHA-256 of the secret is stored, compared in constant time.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    public const int PrefixLength = 8;
    public const int SecretLength = 40;
    private const string PrefixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>How stale <see cref="ApiKey.LastUsedAt"/> may get: writing it on every call would turn each read into a write.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(ct);
        return keys.Select(Row).ToList();
    }

    public async Task<ApiKeyRow?> FindAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, ct) is { } key ? Row(key) : null;
    }

    private static ApiKeyRow Row(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        k.RequestsPerMinute, k.CreatedBy, k.CreatedAt, k.LastUsedAt, k.RevokedAt, k.DailyQuota, k.CallbackUrl, k.CallbackSecret is not null);

    /// <summary>
    /// Sets a key's rate limit, daily quota and status callback from the admin page (issue 19); audited.
    /// A new signing secret is generated when asked, or when a callback URL is set on a key without
    /// one; it is returned here only (shown once) and stored protected.
    /// </summary>
    /// <returns>Null when no such key exists; otherwise the new secret, or "" when it was kept.</returns>
    /// <exception cref="Domain.Common.DomainException">Rate limit, quota or URL out of bounds.</exception>
    public async Task<string?> ConfigureSendingAsync(ClaimsPrincipal actor, int id, ApiKeySendSettings settings,
        MessagesApi.CallbackSecrets secrets, MessagesApi.StatusCallbackOutbox? outbox, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return null;
        }
        var url = string.IsNullOrWhiteSpace(settings.CallbackUrl) ? null : settings.CallbackUrl.Trim();
        var secret = settings.RotateSecret || (url is not null && key.CallbackSecret is null)
            ? RandomNumberGenerator.GetString(SecretAlphabet, SecretLength)
            : null;
        key.SetRateLimit(settings.RequestsPerMinute);
        key.ConfigureMessaging(settings.DailyQuota, url, secret is null ? key.CallbackSecret : secrets.Protect(secret));
        await db.SaveChangesAsync(ct);
        Changed();
        outbox?.Invalidate();
        await audit.WriteAsync(actor, AuditActions.ApiKeyMessagingChanged, nameof(ApiKey), key.Id.ToString(),
            $"rpm={key.RequestsPerMinute}; dailyQuota={key.DailyQuota?.ToString() ?? "none"}; callback={(key.CallbackUrl is null ? "none" : "set")}; secret={(secret is null ? "kept" : "new")}", ct);
        return url is null ? "" : secret ?? "";
    }

    /// <returns>The stored key and the full key text, which exists only in this return value.</returns>
    /// <exception cref="Domain.Common.DomainException">Name, scopes or rate limit out of bounds.</exception>
    public async Task<(ApiKeyRow Key, string FullKey)> CreateAsync(ClaimsPrincipal actor, string name, IEnumerable<string> scopes, int requestsPerMinute, CancellationToken ct)
    {
        var prefix = RandomNumberGenerator.GetString(PrefixAlphabet, PrefixLength);
        var secret = RandomNumberGenerator.GetString(SecretAlphabet, SecretLength);
        var createdBy = actor.Identity?.Name ?? "system";
        var key = new ApiKey(name, prefix, Hash(secret), scopes, requestsPerMinute, createdBy, clock.GetUtcNow().UtcDateTime);
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync(ct);
        }
        await audit.WriteAsync(actor, AuditActions.ApiKeyCreated, nameof(ApiKey), key.Id.ToString(),
            $"name={key.Name}; prefix={key.Prefix}; scopes={key.Scopes}; rpm={key.RequestsPerMinute}", ct);
        var row = new ApiKeyRow(key.Id, key.Name, key.Prefix, key.Scopes.Split(' '), key.RequestsPerMinute, key.CreatedBy, key.CreatedAt, null, null);
        return (row, $"pk_{prefix}_{secret}");
    }

    /// <returns>False when no such key exists; revoking twice keeps the first time.</returns>
    public async Task<bool> RevokeAsync(ClaimsPrincipal actor, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return false;
        }
        key.Revoke(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        Changed();
        await audit.WriteAsync(actor, AuditActions.ApiKeyRevoked, nameof(ApiKey), key.Id.ToString(), $"name={key.Name}; prefix={key.Prefix}", ct);
        return true;
    }

    /// <summary>
    /// How long a key's row is reused by <see cref="CheckAsync"/> without a query (issue 19: one
    /// query per API request was a round trip per message at 1,000 requests/s). A revocation or a
    /// change of limits on this node drops the cache at once; one on another node counts within
    /// this time. An unknown prefix is never cached, so a new key works at once everywhere.
    /// </summary>
    public static readonly TimeSpan CheckCacheFor = TimeSpan.FromSeconds(1);

    private sealed record CachedKey(ApiKey Key, long LoadedAt, int Version);
    private readonly ConcurrentDictionary<string, CachedKey> _checked = new(StringComparer.Ordinal);
    private int _version;

    /// <summary>Drops every cached key row (after a change to a key through this service).</summary>
    private void Changed()
    {
        Interlocked.Increment(ref _version);
        _checked.Clear();
    }

    public async Task<ApiKeyCheck> CheckAsync(string presented, CancellationToken ct)
    {
        if (!TrySplit(presented, out var prefix, out var secret))
        {
            return new(null, "The API key is malformed: expected pk_<prefix>_<secret>.");
        }
        var version = Volatile.Read(ref _version);
        ApiKey? key;
        if (_checked.TryGetValue(prefix, out var cached) && cached.Version == version && Environment.TickCount64 - cached.LoadedAt < CheckCacheFor.TotalMilliseconds)
        {
            key = cached.Key;
        }
        else
        {
            await using var read = await contexts.CreateDbContextAsync(ct);
            key = await read.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
            if (key is not null) _checked[prefix] = new CachedKey(key, Environment.TickCount64, version);
        }
        // Hash even for an unknown prefix so both failures take the same time.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var storedHash = key is null ? new byte[presentedHash.Length] : Convert.FromHexString(key.SecretHash);
        if (key is null || !CryptographicOperations.FixedTimeEquals(presentedHash, storedHash))
        {
            return new(null, "The API key is not valid.");
        }
        if (key.RevokedAt is not null)
        {
            return new(null, "The API key was revoked.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || key.LastUsedAt < now - LastUsedResolution)
        {
            var stale = now - LastUsedResolution;
            await using var db = await contexts.CreateDbContextAsync(ct);
            await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < stale))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
            key.LastUsedAt = now; // the cached row too, so the next calls do not write again
        }
        return new(new AuthenticatedApiKey(key.Id, key.Name, key.Prefix, key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), key.RequestsPerMinute, key.DailyQuota), null);
    }

    private static bool TrySplit(string presented, out string prefix, out string secret)
    {
        prefix = secret = "";
        var parts = presented.Trim().Split('_');
        if (parts is not ["pk", { Length: PrefixLength } p, { Length: >= 32 } s])
        {
            return false;
        }
        (prefix, secret) = (p, s);
        return true;
    }

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
