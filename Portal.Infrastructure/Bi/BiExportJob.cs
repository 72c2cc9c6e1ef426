using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Persistence;
using Quartz;

namespace Portal.Infrastructure.Bi;

/// <summary>
/// One Quartz job per scheduled export definition (issue 16, item 3); never two runs of one definition
/// at once on a node, and one run per cron firing across nodes (<see cref="BiExport.FiringAt"/>).
/// </summary>
[DisallowConcurrentExecution]
public sealed class BiExportJob(BiExporter exporter) : IJob
{
    public const string Group = "bi-export";
    public const string DefinitionIdKey = "definitionId";

    public static JobKey KeyFor(int id) => new($"definition-{id.ToString(CultureInfo.InvariantCulture)}", Group);
    public static TriggerKey TriggerFor(int id) => new($"definition-{id.ToString(CultureInfo.InvariantCulture)}", Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var id = int.Parse(context.MergedJobDataMap[DefinitionIdKey]?.ToString() ?? "", CultureInfo.InvariantCulture);
        // The cron trigger's firing is shared by every node; "run now" (a one-off trigger) is this node's own.
        var firing = context.Trigger.Key.Equals(TriggerFor(id)) ? context.ScheduledFireTimeUtc?.UtcDateTime : null;
        await exporter.RunDefinitionAsync(id, firing, cancellationToken);
    }
}

/// <summary>Keeps the scheduler's jobs in step with the definitions (a durable job each; a cron trigger while enabled).</summary>
public interface IBiExportSchedule
{
    Task ApplyAsync(BiExportDefinition definition, CancellationToken ct);
    Task RemoveAsync(int definitionId, CancellationToken ct);
    Task TriggerNowAsync(int definitionId, CancellationToken ct);
    Task<DateTimeOffset?> NextFireAsync(int definitionId, CancellationToken ct);
}

public sealed class QuartzBiExportSchedule(ISchedulerFactory schedulers, TimeProvider clock) : IBiExportSchedule
{
    public async Task ApplyAsync(BiExportDefinition definition, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<BiExportJob>()
            .WithIdentity(BiExportJob.KeyFor(definition.Id))
            .UsingJobData(BiExportJob.DefinitionIdKey, definition.Id.ToString(CultureInfo.InvariantCulture))
            .StoreDurably()
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, ct);
        await scheduler.UnscheduleJob(BiExportJob.TriggerFor(definition.Id), ct);
        if (definition.Enabled)
        {
            await scheduler.ScheduleJob(TriggerBuilder.Create(clock).WithIdentity(BiExportJob.TriggerFor(definition.Id)).ForJob(job.Key)
                .WithSchedule(CronScheduleBuilder.Create(definition.Cron).InTimeZone(TimeZoneInfo.Utc)).Build(), default, ct);
        }
    }

    public async Task RemoveAsync(int definitionId, CancellationToken ct) =>
        await (await schedulers.GetScheduler(ct)).DeleteJob(BiExportJob.KeyFor(definitionId), ct);

    public async Task TriggerNowAsync(int definitionId, CancellationToken ct) =>
        await (await schedulers.GetScheduler(ct)).TriggerJob(BiExportJob.KeyFor(definitionId), new JobDataMap(), ct);

    public async Task<DateTimeOffset?> NextFireAsync(int definitionId, CancellationToken ct) =>
        (await (await schedulers.GetScheduler(ct)).GetTrigger(BiExportJob.TriggerFor(definitionId), ct))?.NextFireTimeUtc;
}

/// <summary>Scheduling off (tests, some nodes): "run now" runs in the background, nothing fires on its own.</summary>
public sealed class InlineBiExportSchedule(BiExporter exporter) : IBiExportSchedule
{
    public Task ApplyAsync(BiExportDefinition definition, CancellationToken ct) => Task.CompletedTask;
    public Task RemoveAsync(int definitionId, CancellationToken ct) => Task.CompletedTask;
    public Task TriggerNowAsync(int definitionId, CancellationToken ct)
    {
        _ = Task.Run(() => exporter.RunDefinitionAsync(definitionId, null, CancellationToken.None), CancellationToken.None);
        return Task.CompletedTask;
    }
    public Task<DateTimeOffset?> NextFireAsync(int definitionId, CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);
}

/// <summary>The in-memory job store starts empty: at start every definition's job is rebuilt from the database.</summary>
public sealed class BiExportScheduleLoader(IDbContextFactory<PortalDbContext> contexts, IBiExportSchedule schedule, ILogger<BiExportScheduleLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            foreach (var d in await db.BiExportDefinitions.AsNoTracking().ToListAsync(cancellationToken))
            {
                await schedule.ApplyAsync(d, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not load the scheduled exports into the scheduler");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
