using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// The in-memory job store starts empty: at start every source's job is rebuilt from the database.
/// (The web host migrates before hosted services start; a database that cannot be read is logged,
/// not fatal, so the portal still comes up.)
/// </summary>
public sealed class SyncScheduleLoader(IDbContextFactory<PortalDbContext> contexts, ISyncSchedule schedule, ILogger<SyncScheduleLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var sources = await db.SyncSources.AsNoTracking().ToListAsync(cancellationToken);
            foreach (var source in sources)
            {
                await schedule.ApplyAsync(source, cancellationToken);
            }
            logger.LogInformation("Scheduled {Enabled} of {Count} sync sources", sources.Count(s => s.Enabled), sources.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not load the sync sources into the scheduler");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
