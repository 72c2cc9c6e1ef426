using Microsoft.Extensions.Logging;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// For a node with <c>Scheduling:Enabled=false</c>: nothing fires on a schedule here (a scheduler
/// node does that), but "run now" still runs the source, in the background.
/// </summary>
public sealed class InlineSyncSchedule(SyncRunner runner, ILogger<InlineSyncSchedule> logger) : ISyncSchedule
{
    public Task ApplyAsync(SyncSource source, CancellationToken ct) => Task.CompletedTask;

    public Task RemoveAsync(int sourceId, CancellationToken ct) => Task.CompletedTask;

    public Task TriggerNowAsync(int sourceId, CancellationToken ct)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await runner.RunAsync(sourceId, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Run of sync source {SourceId} crashed", sourceId);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> NextFireAsync(int sourceId, CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);
}
