using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Analytics;

/// <summary>
/// Keeps conversions up to date as events arrive. Each tick reads only events up to the highest id
/// seen at the previous tick: an ingestion transaction that took an id but committed a moment later
/// is not skipped by the watermark (ids are taken in order, commits are not). Between ticks it keeps
/// the results of one campaign fresh (<see cref="CampaignResults.KeepOneAsync"/>).
/// </summary>
internal sealed class AttributionService(
    ConversionAttributor attributor,
    CampaignResults results,
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<AttributionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.AttributionEnabled) return;
        long seen = 0;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                long upTo = seen;
                while (await attributor.RunOnceAsync(o.AttributionBatchSize, upTo, stoppingToken) > 0) { }
                await results.KeepOneAsync(stoppingToken);
                await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
                {
                    seen = await db.ClientEvents.MaxAsync(e => (long?)e.Id, stoppingToken) ?? 0;
                }
                failures = 0;
                await Task.Delay(o.AttributionInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A lost race with another node (concurrency conflict) or a database restart: back off, never stop the host.
                failures++;
                logger.LogWarning(ex, "Attribution pass failed ({Failures} in a row); retrying", failures);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 2 * failures)), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
