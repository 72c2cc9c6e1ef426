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

    public static IReadOnlyList<string> All { get; } = [ClientsWrite, ClientsDelete, EventsWrite, ConsentWrite, AnalyticsRead];
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

    public bool Allows(string scope) => RevokedAt is null && Scopes.Split(' ').Contains(scope);

    public void Revoke(DateTime at) => RevokedAt ??= at;
}
