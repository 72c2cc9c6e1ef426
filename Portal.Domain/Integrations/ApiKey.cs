using Portal.Domain.Common;

namespace Portal.Domain.Integrations;

/// <summary>What an integration's key may do.</summary>
public static class ApiScopes
{
    public const string ClientsWrite = "clients:write";
    public const string ClientsDelete = "clients:delete";
    public const string EventsWrite = "events:write";
    public const string ConsentWrite = "consent:write";
    /// <summary>The BI read API (issue 16): pseudonymised datasets, never personal data.</summary>
    public const string AnalyticsRead = "analytics:read";

    /// <summary>POST /api/v1/messages and GET /api/v1/messages/{id} (issue 19).</summary>
    public const string MessagesSend = "messages:send";
    /// <summary>POST /api/v1/alerts (issue 17): raise an employee alert.</summary>
    public const string AlertsWrite = "alerts:write";

    public static IReadOnlyList<string> All { get; } = [ClientsWrite, ClientsDelete, EventsWrite, ConsentWrite, AnalyticsRead, MessagesSend, AlertsWrite];
}

/// <summary>
/// A key one integration (the CRM, a shop) uses for the REST API. Only a hash of the secret is
/// stored; the secret is shown once when the key is created.
/// </summary>
public sealed class ApiKey
{
    private ApiKey() { }

    public ApiKey(string name, string prefix, string secretHash, IEnumerable<string> scopes, int requestsPerMinute, string createdBy, DateTime at)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new DomainException("A key's name is 1 to 100 characters.");
        }
        var list = scopes.Distinct().ToList();
        if (list.Count == 0 || list.Except(ApiScopes.All).Any())
        {
            throw new DomainException("Choose at least one known scope.");
        }
        if (requestsPerMinute is < 1 or > 100_000)
        {
            throw new DomainException("The rate limit is 1 to 100,000 requests per minute.");
        }
        Name = name.Trim();
        Prefix = prefix;
        SecretHash = secretHash;
        Scopes = string.Join(' ', list);
        RequestsPerMinute = requestsPerMinute;
        CreatedBy = createdBy;
        CreatedAt = at;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>The public first part of the key, used to find it; the rest is secret.</summary>
    public string Prefix { get; private set; } = "";
    public string SecretHash { get; private set; } = "";
    /// <summary>Space-separated <see cref="ApiScopes"/>.</summary>
    public string Scopes { get; private set; } = "";
    public int RequestsPerMinute { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime? RevokedAt { get; private set; }
    public DateTime? LastUsedAt { get; set; }

    /// <summary>Messages this key may send per UTC day through the send API; null: no quota (issue 19).</summary>
    public int? DailyQuota { get; private set; }

    /// <summary>Where status changes of this key's messages are POSTed, signed (issue 19); null: no callbacks.</summary>
    public string? CallbackUrl { get; private set; }

    /// <summary>The HMAC key for callbacks, protected at rest (Data Protection), never shown again after it is set.</summary>
    public string? CallbackSecret { get; private set; }

    /// <summary>Sets the send API's quota and status callback; the secret is already protected by the caller.</summary>
    public void ConfigureMessaging(int? dailyQuota, string? callbackUrl, string? protectedSecret)
    {
        if (dailyQuota is < 1 or > 100_000_000)
        {
            throw new DomainException("The daily quota is 1 to 100,000,000 messages, or none.");
        }
        if (callbackUrl is not null
            && (!Uri.TryCreate(callbackUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || callbackUrl.Length > 500))
        {
            throw new DomainException("The callback URL must be an absolute http(s) URL of at most 500 characters.");
        }
        if (callbackUrl is not null && string.IsNullOrEmpty(protectedSecret))
        {
            throw new DomainException("A callback URL needs a signing secret.");
        }
        DailyQuota = dailyQuota;
        CallbackUrl = callbackUrl;
        CallbackSecret = callbackUrl is null ? null : protectedSecret;
    }

    /// <summary>Changes the per-minute rate limit (issue 19's admin settings); same bounds as at creation.</summary>
    public void SetRateLimit(int requestsPerMinute)
    {
        if (requestsPerMinute is < 1 or > 100_000)
        {
            throw new DomainException("The rate limit is 1 to 100,000 requests per minute.");
        }
        RequestsPerMinute = requestsPerMinute;
    }

    public bool Allows(string scope) => RevokedAt is null && Scopes.Split(' ').Contains(scope);

    public void Revoke(DateTime at) => RevokedAt ??= at;
}
