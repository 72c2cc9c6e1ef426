using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Integrations.Sync;
using Quartz;

namespace Portal.Infrastructure.Scheduling;

public static class SchedulingSetup
{
    /// <summary>
    /// Quartz with an in-memory store, jobs rebuilt from the database at start. Issue 6 swaps the
    /// store for the clustered ADO one here, and only here. The hosted services only run when a host
    /// is started: the CLI verbs build a host and resolve services but never start it, so they
    /// never fire jobs.
    /// </summary>
    public static IServiceCollection AddPortalScheduling(this IServiceCollection services, IConfiguration configuration, Cluster.NodeRoles? roles = null)
    {
        services.AddPortalOptions<SchedulingOptions>(configuration, SchedulingOptions.Section);
        var options = configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>() ?? new SchedulingOptions();
        // Issue 13: a node without the scheduler role is a node with Scheduling:Enabled=false (no Quartz at all).
        if (!options.Enabled || roles is { Scheduler: false })
        {
            services.AddSingleton<ISyncSchedule, InlineSyncSchedule>();
            services.AddSingleton<ICampaignSchedule, InlineCampaignSchedule>();
            services.AddSingleton<Bi.IBiExportSchedule, Bi.InlineBiExportSchedule>();
            return services;
        }

        services.AddQuartz(q =>
        {
            // Unique per host: several hosts share one process in tests, and an in-memory
            // scheduler is not shared by anyone anyway.
            q.ConfigureScheduler(s => s.InstanceName = "Portal-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..8]);
            q.UseInMemoryStore(_ => { });
            // Issue 14: retention of personal data, nightly by default.
            var retention = configuration.GetSection(Retention.RetentionOptions.Section).Get<Retention.RetentionOptions>() ?? new Retention.RetentionOptions();
            if (retention.Enabled)
            {
                q.ScheduleJob<Retention.DataRetentionJob>(t => t.WithIdentity("retention").WithCronSchedule(retention.Cron), j => j.WithIdentity("retention"));
            }
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddTransient<SyncSourceJob>();
        services.AddTransient<Retention.DataRetentionJob>();
        services.AddSingleton<ISyncSchedule, QuartzSyncSchedule>();
        services.AddHostedService<SyncScheduleLoader>();
        // Issue 16: scheduled exports, one job per definition.
        services.AddTransient<Bi.BiExportJob>();
        services.AddSingleton<Bi.IBiExportSchedule, Bi.QuartzBiExportSchedule>();
        services.AddHostedService<Bi.BiExportScheduleLoader>();
        services.AddTransient<LaunchCampaignJob>();
        services.AddTransient<RecurringCampaignJob>();
        services.AddSingleton<ICampaignSchedule, QuartzCampaignSchedule>();
        services.AddSingleton(sp => new CampaignReconcile(sp.GetRequiredService<IOptions<SchedulingOptions>>().Value.ReconcileInterval));
        services.AddHostedService<CampaignScheduleLoader>();
        return services;
    }
}
