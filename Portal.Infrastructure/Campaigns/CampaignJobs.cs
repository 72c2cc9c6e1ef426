using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Persistence;
using Quartz;

namespace Portal.Infrastructure.Campaigns;

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
    public const string FingerprintKey = "schedule";

    /// <summary>What the trigger was built from: a node that finds it changed in the database rebuilds the trigger.</summary>
    public static string Fingerprint(Campaign campaign) => string.Join('|',
        campaign.Settings.ScheduleKind.ToString(), campaign.Settings.Cron?.Trim() ?? "",
        campaign.ScheduledAt?.ToString("O", CultureInfo.InvariantCulture) ?? "",
        campaign.Settings.RecurrenceEndsAt?.ToString("O", CultureInfo.InvariantCulture) ?? "");

    public static JobKey KeyFor(int id) => new($"campaign-{id.ToString(CultureInfo.InvariantCulture)}", Group);

    public async Task ScheduleAsync(Campaign campaign, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var id = campaign.Id.ToString(CultureInfo.InvariantCulture);
        var recurring = campaign.Settings.ScheduleKind == ScheduleKind.Recurring;
        var job = recurring
            ? JobBuilder.Create<RecurringCampaignJob>().WithIdentity(KeyFor(campaign.Id)).UsingJobData(LaunchCampaignJob.CampaignIdKey, id)
                .UsingJobData(FingerprintKey, Fingerprint(campaign)).Build()
            : JobBuilder.Create<LaunchCampaignJob>().WithIdentity(KeyFor(campaign.Id)).UsingJobData(LaunchCampaignJob.CampaignIdKey, id)
                .UsingJobData(FingerprintKey, Fingerprint(campaign)).Build();
        var trigger = TriggerBuilder.Create(clock).WithIdentity(new TriggerKey(job.Key.Name, Group)).ForJob(job.Key);
        if (recurring)
        {
            trigger = trigger.WithSchedule(CronScheduleBuilder.Create(campaign.Settings.Cron!.Trim()).InTimeZone(TimeZoneInfo.Utc));
            if (campaign.Settings.RecurrenceEndsAt is { } end) trigger = trigger.EndAt(new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)));
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

/// <summary>
/// Keeps this node's in-memory triggers equal to the database, at start and then every
/// <c>Scheduling:ReconcileInterval</c> (<see cref="CampaignReconcile"/>; issue 13): a campaign scheduled on a node
/// without a scheduler (or on another scheduler node) gets its trigger here too; a one-shot whose
/// launch failed (database down) has lost its trigger and gets it back, so it is retried; an overdue
/// one-shot fires at once (its start time is past); a campaign rescheduled, cancelled or deleted
/// elsewhere has its trigger replaced or removed. Every scheduling node fires every trigger: the
/// launch (a guarded Scheduled -> Sending update) and the recurring run (unique per firing) make
/// the database pick one (ADR 0006).
/// </summary>
internal sealed class CampaignScheduleLoader(
    IDbContextFactory<PortalDbContext> contexts,
    ISchedulerFactory schedulers,
    ICampaignSchedule schedule,
    CampaignReconcile reconcile,
    ILogger<CampaignScheduleLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scheduled campaigns could not be reconciled with the scheduler; retrying");
            }
            try
            {
                await Task.Delay(reconcile.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task ReconcileAsync(CancellationToken ct)
    {
        List<Campaign> scheduled;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            scheduled = await db.Campaigns.AsNoTracking().Where(c => c.Status == CampaignStatus.Scheduled).ToListAsync(ct);
        }
        var scheduler = await schedulers.GetScheduler(ct);
        var known = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(QuartzCampaignSchedule.Group), ct);
        var added = 0;
        foreach (var campaign in scheduled)
        {
            var key = QuartzCampaignSchedule.KeyFor(campaign.Id);
            var job = known.Contains(key) ? await scheduler.GetJobDetail(key, ct) : null;
            if (job is not null && Equals(job.JobDataMap.GetString(QuartzCampaignSchedule.FingerprintKey), QuartzCampaignSchedule.Fingerprint(campaign))
                && (await scheduler.GetTriggersOfJob(key, ct)).Count > 0)
            {
                continue;
            }
            await schedule.ScheduleAsync(campaign, ct);
            added++;
        }
        var wanted = scheduled.Select(c => QuartzCampaignSchedule.KeyFor(c.Id)).ToHashSet();
        var removed = 0;
        foreach (var key in known.Where(k => !wanted.Contains(k)))
        {
            // A job running right now finishes (the launch itself is guarded); only its trigger goes.
            if (await scheduler.DeleteJob(key, ct)) removed++;
        }
        if (added > 0 || removed > 0) logger.LogInformation("Scheduler reconciled: {Added} campaign triggers registered, {Removed} removed", added, removed);
    }
}

/// <summary>How often <see cref="CampaignScheduleLoader"/> compares the triggers with the database (set from <c>Scheduling:ReconcileInterval</c>).</summary>
public sealed record CampaignReconcile(TimeSpan Interval);
