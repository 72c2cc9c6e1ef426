namespace Portal.Infrastructure.Integrations.Sync;

public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>PostgreSQL sources: the query's <c>statement_timeout</c> (it covers streaming the rows too).</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>HTTP sources: how long the endpoint may take to answer.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Events are ingested in batches of this size, all inside one transaction per run.</summary>
    public int EventBatchSize { get; set; } = 5_000;
}
