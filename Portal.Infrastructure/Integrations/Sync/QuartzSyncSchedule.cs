using System.Globalization;
using Portal.Domain.Integrations;
using Quartz;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// Keeps one durable Quartz job per source (so "run now" works for a disabled source too) and a
/// cron trigger while the source is enabled.
/// </summary>
public sealed class QuartzSyncSchedule(ISchedulerFactory schedulers, TimeProvider clock) : ISyncSchedule
{
    public async Task ApplyAsync(SyncSource source, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<SyncSourceJob>()
            .WithIdentity(SyncSourceJob.KeyFor(source.Id))
            .WithDescription($"Sync source {source.Id.ToString(CultureInfo.InvariantCulture)}")
            .UsingJobData(SyncSourceJob.SourceIdKey, source.Id.ToString(CultureInfo.InvariantCulture))
            .StoreDurably()
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, ct);
        await scheduler.UnscheduleJob(SyncSourceJob.TriggerFor(source.Id), ct);
        if (source.Enabled && SyncCron.TryDescribe(source.Cron, out _, out _))
        {
            var trigger = TriggerBuilder.Create(clock)
                .WithIdentity(SyncSourceJob.TriggerFor(source.Id))
                .ForJob(job.Key)
                .WithSchedule(CronScheduleBuilder.Create(source.Cron.Trim()).InTimeZone(TimeZoneInfo.Utc))
                .Build();
            await scheduler.ScheduleJob(trigger, default, ct);
        }
    }

    public async Task RemoveAsync(int sourceId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.DeleteJob(SyncSourceJob.KeyFor(sourceId), ct);
    }

    public async Task TriggerNowAsync(int sourceId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.TriggerJob(SyncSourceJob.KeyFor(sourceId), new JobDataMap(), ct);
    }

    public async Task<DateTimeOffset?> NextFireAsync(int sourceId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var trigger = await scheduler.GetTrigger(SyncSourceJob.TriggerFor(sourceId), ct);
        return trigger?.NextFireTimeUtc;
    }
}
