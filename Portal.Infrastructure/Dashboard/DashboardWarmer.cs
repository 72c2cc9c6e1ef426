using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Dashboard;

/// <summary>
/// Reads the dashboard every <see cref="DashboardOptions.WarmEvery"/> on a web node, so that its
/// first viewer does not pay for counting the whole day (issue 20: 0.85-1.2 s at 1.9 M clients).
/// A failed read is retried at the next interval; the page reads and reports errors itself.
/// </summary>
public sealed class DashboardWarmer(DashboardQueries queries, IOptions<DashboardOptions> options, ILogger<DashboardWarmer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.WarmEvery;
        if (every <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(every);
        do
        {
            try
            {
                await queries.WarmAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Warming the dashboard failed, retrying in {Seconds:F0} s: {Error}", every.TotalSeconds, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
