using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>What the sources' administration needs from the scheduler (Quartz, see Scheduling/).</summary>
public interface ISyncSchedule
{
    /// <summary>Creates or replaces the source's job; a cron trigger only while it is enabled.</summary>
    Task ApplyAsync(SyncSource source, CancellationToken ct);

    Task RemoveAsync(int sourceId, CancellationToken ct);

    /// <summary>Runs the source's job now (still never two runs of one source at once).</summary>
    Task TriggerNowAsync(int sourceId, CancellationToken ct);

    Task<DateTimeOffset?> NextFireAsync(int sourceId, CancellationToken ct);
}
