using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Quartz;

namespace Portal.Infrastructure.Scheduling;

/// <summary>Registers a scheduled campaign's launch with the scheduler; a node without a scheduler does nothing.</summary>
public interface ICampaignSchedule
{
    Task ScheduleAsync(Campaign campaign, CancellationToken ct);
    Task UnscheduleAsync(int campaignId, CancellationToken ct);
}

internal sealed class InlineCampaignSchedule : ICampaignSchedule
{
    public Task ScheduleAsync(Campaign campaign, CancellationToken ct) => Task.CompletedTask;
    public Task UnscheduleAsync(int campaignId, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Now/At: a one-shot trigger firing <see cref="LaunchCampaignJob"/>. Recurring: a cron trigger
/// (UTC) ending at RecurrenceEndsAt, firing <see cref="RecurringCampaignJob"/>, which starts one
/// child campaign per firing.
/// </summary>
internal sealed class QuartzCampaignSchedule(ISchedulerFactory schedulers, TimeProvider clock) : ICampaignSchedule
{
    public const string Group = "campaigns";

    public static JobKey KeyFor(int id) => new($"campaign-{id.ToString(CultureInfo.InvariantCulture)}", Group);

    public async Task ScheduleAsync(Campaign campaign, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var id = campaign.Id.ToString(CultureInfo.InvariantCulture);
        var recurring = campaign.ScheduleKind == ScheduleKind.Recurring;
        var job = recurring
            ? JobBuilder.Create<RecurringCampaignJob>().WithIdentity(KeyFor(campaign.Id)).UsingJobData(LaunchCampaignJob.CampaignIdKey, id).Build()
            : JobBuilder.Create<LaunchCampaignJob>().WithIdentity(KeyFor(campaign.Id)).UsingJobData(LaunchCampaignJob.CampaignIdKey, id).Build();
        var trigger = TriggerBuilder.Create(clock).WithIdentity(new TriggerKey(job.Key.Name, Group)).ForJob(job.Key);
        if (recurring)
        {
            trigger = trigger.WithSchedule(CronScheduleBuilder.Create(campaign.Cron!.Trim()).InTimeZone(TimeZoneInfo.Utc));
            if (campaign.RecurrenceEndsAt is { } end) trigger = trigger.EndAt(new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)));
        }
        else
        {
            var at = campaign.ScheduledAt is { } s ? new DateTimeOffset(DateTime.SpecifyKind(s, DateTimeKind.Utc)) : clock.GetUtcNow();
            trigger = trigger.StartAt(at);
        }
        await scheduler.DeleteJob(job.Key, ct);
        await scheduler.ScheduleJob(job, trigger.Build(), default, ct);
    }

    public async Task UnscheduleAsync(int campaignId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.DeleteJob(KeyFor(campaignId), ct);
    }
}

/// <summary>Launches one campaign; a second firing (or a second node) finds it already Sending and does nothing.</summary>
public sealed class LaunchCampaignJob(CampaignLauncher launcher) : IJob
{
    public const string CampaignIdKey = "campaignId";

    internal static int CampaignId(IJobExecutionContext context) =>
        int.Parse(context.MergedJobDataMap[CampaignIdKey]?.ToString() ?? "", CultureInfo.InvariantCulture);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await launcher.LaunchAsync(CampaignId(context), cancellationToken);
}

/// <summary>One firing of a recurring campaign: a child run copying its settings, launched at once.</summary>
[DisallowConcurrentExecution]
public sealed class RecurringCampaignJob(CampaignRuns runs) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await runs.FireAsync(LaunchCampaignJob.CampaignId(context), (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).UtcDateTime, cancellationToken);
}

/// <summary>At start (the job store is in memory): registers the triggers of every Scheduled campaign again.</summary>
internal sealed class CampaignScheduleLoader(IDbContextFactory<PortalDbContext> contexts, ICampaignSchedule schedule, ILogger<CampaignScheduleLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(stoppingToken);
            var scheduled = await db.Campaigns.AsNoTracking().Where(c => c.Status == CampaignStatus.Scheduled).ToListAsync(stoppingToken);
            foreach (var campaign in scheduled) await schedule.ScheduleAsync(campaign, stoppingToken);
            if (scheduled.Count > 0) logger.LogInformation("{Count} scheduled campaigns registered with the scheduler", scheduled.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Scheduled campaigns could not be loaded");
        }
    }
}
