using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Integrations.Sync;

public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>PostgreSQL sources: the query's <c>statement_timeout</c> (it covers streaming the rows too).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>HTTP sources: how long the endpoint may take to answer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A run still unfinished this long after its start belongs to a node that died during it
    /// (issue 13): the next run closes it as abandoned instead of waiting for it forever. Longer
    /// than the statement and HTTP timeouts; a live run overtaken anyway loses its watermark
    /// compare-and-set and applies no events, so the bound is about liveness, never duplicates.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan AbandonedRunAfter { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Events are ingested in batches of this size, all inside one transaction per run.</summary>
    [Range(1, 1000000)]
    public int EventBatchSize { get; set; } = 5_000;

    /// <summary>
    /// Hosts a sync may connect to (database host or URL host), exact names or "*.corp.example"
    /// (issue 14). Empty: none, so an administrator's typo or a hostile source cannot reach
    /// internal services. The portal's own database is refused even when listed.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Null when <paramref name="host"/> is allowed, else why not.</summary>
    public string? CheckHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return "The source names no host.";
        var h = host.Trim().TrimEnd('.').ToLowerInvariant();
        foreach (var allowed in AllowedHosts.Select(a => a.Trim().TrimEnd('.').ToLowerInvariant()).Where(a => a.Length > 0))
        {
            if (allowed == h || (allowed.StartsWith("*.", StringComparison.Ordinal) && h.EndsWith(allowed[1..], StringComparison.Ordinal)))
                return null;
        }
        return $"Host '{host}' is not in Sync:AllowedHosts.";
    }
}
