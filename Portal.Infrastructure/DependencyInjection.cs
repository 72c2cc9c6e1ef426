using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Postgres;
using Portal.Infrastructure.Persistence.Sqlite;
using Portal.Infrastructure.Scheduling;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Everything below the UI: database, messaging, seeding, audit, sync and scheduling. Chosen once from configuration.</summary>
    public static IHostApplicationBuilder AddPortalInfrastructure(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Issue 13: which hosted services this node runs (web, scheduler, sender; all by default).
        var roles = Cluster.NodeRoles.From(builder.Configuration);
        services.AddSingleton(roles);
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section);

        AddDatabase(services, builder.Configuration, builder.Environment.ContentRootPath);
        services.AddScoped<DatabaseInitializer>();
        services.AddScoped<DemoDataSeeder>();
        services.AddSingleton<Tours.TourCatalog>();
        services.AddSingleton<Tours.BuiltInTourSeeder>();
        services.AddSingleton<Tours.TourTraining>();
        services.AddSingleton<Sandbox.TrainingSandbox>();
        services.AddSingleton<AuditLog>();
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ImportOptions>, ImportOptionsValidator>();
        services.AddSingleton<ClientImporter>();
        services.AddSingleton<ImportRunner>();
        services.AddSingleton<ClientDirectory>();
        services.AddSingleton<ClientMessageHistory>();
        services.AddSingleton<ClientErasure>();
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.Section);
        services.AddSingleton<Retention.DataRetention>();
        services.AddSingleton<ClientBatchUpsert>();
        services.AddSingleton<ClientEventIngestion>();
        services.AddSingleton<ApiKeyService>();
        AddSync(services, builder.Configuration, builder.Environment.ContentRootPath);
        services.AddPortalScheduling(builder.Configuration, roles);
        services.AddSingleton<SegmentAudience>();
        services.AddSingleton<Campaigns.CampaignAudience>();
        services.AddSingleton(new Portal.Domain.Templates.TemplateEngine());
        services.AddSingleton<Templates.TemplateStore>();
        services.AddSingleton<Templates.TemplatePreview>();
        services.AddSingleton<Campaigns.ICampaignEstimator, Templates.CampaignEstimator>();
        services.AddSingleton<Campaigns.CampaignCatalog>();
        services.AddSingleton<SegmentStore>();
        services.AddSingleton<StaticListImport>();
        services.AddSingleton<DepartmentScopes>();
        services.AddSingleton<Inbound.InboxQueries>();
        AddAnalytics(services, roles);
        AddBi(services);

        services.AddPortalMessaging(builder.Configuration);
        services.AddPortalSending(builder.Configuration, roles);
        Dashboard.DashboardSetup.AddPortalDashboard(services, builder.Configuration, roles);
        Providers.ProvidersSetup.AddPortalProviders(services);

        services.AddHealthChecks()
            .AddDbContextCheck<PortalDbContext>("database")
            .AddCheck<MessageBusHealthCheck>("broker");
        Telemetry.TelemetrySetup.AddPortalTelemetry(builder);
        return builder;
    }

    /// <summary>Issue 15: conversions attributed as events arrive, campaign results over kept cells.</summary>
    private static void AddBi(IServiceCollection services)
    {
        services.AddOptions<Bi.BiOptions>().BindConfiguration(Bi.BiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Bi.BiKeyStore>();
        services.AddSingleton<Bi.BiReader>();
        services.AddSingleton<Bi.BiExporter>();
        services.AddSingleton<Bi.BiExportFiles>();
        services.AddSingleton<Bi.FinanceReports>();
    }

    private static void AddAnalytics(IServiceCollection services, Cluster.NodeRoles roles)
    {
        services.AddOptions<Analytics.AnalyticsOptions>().BindConfiguration(Analytics.AnalyticsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Analytics.ConversionAttributor>();
        services.AddSingleton<Analytics.CampaignResults>();
        services.AddSingleton<Analytics.AudienceResults>();
        services.AddSingleton<Analytics.CampaignsReport>();
        // Background work, so a scheduler's: a web-only or sender-only node does not poll the events table.
        if (roles.Scheduler)
        {
            services.AddHostedService<Analytics.AttributionService>();
        }
    }

    private static void AddDatabase(IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = string.IsNullOrWhiteSpace(options.ConnectionString) ? EmbeddedSqlite(contentRoot) : options.ConnectionString;
                services.AddDbContextFactory<SqlitePortalDbContext>(o => o.UseSqlite(sqlite));
                services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<SqlitePortalDbContext>>();
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                        ["Database:Provider is Postgres but Database:ConnectionString is empty."]);
                }
                services.AddDbContextFactory<PostgresPortalDbContext>(o => o.UseNpgsql(PostgresPortalDbContext.WithoutJit(options.ConnectionString)));
                services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<PostgresPortalDbContext>>();
                break;
            default:
                throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                    [$"Database:Provider '{options.Provider}' is not supported: use Sqlite or Postgres."]);
        }
        // Identity and request-scoped code take a PortalDbContext; circuits and jobs use the factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
    }

    /// <summary>
    /// Scheduled sync sources. Their credentials are encrypted with Data Protection, whose key ring
    /// is persisted under App_Data/keys (embedded default) or <c>DataProtection:KeysPath</c>: every
    /// node must share it, or a node cannot decrypt what another stored.
    /// </summary>
    private static void AddSync(IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section);
        var keys = configuration["DataProtection:KeysPath"] is { Length: > 0 } path ? path : Path.Combine(contentRoot, "App_Data", "keys");
        services.AddDataProtection().SetApplicationName("Portal").PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.AddHttpClient(SyncRunner.HttpClientName, (sp, http) => http.Timeout = sp.GetRequiredService<IOptions<SyncOptions>>().Value.HttpTimeout)
            .ConfigurePrimaryHttpMessageHandler(SyncRunner.CreateHttpHandler);
        services.AddSingleton<SyncSecrets>();
        services.AddSingleton<SyncRunner>();
        services.AddSingleton<SyncSourceCatalog>();
    }

    /// <summary>The embedded default: a SQLite file under App_Data next to the app.</summary>
    private static string EmbeddedSqlite(string contentRoot)
    {
        var folder = Path.Combine(contentRoot, "App_Data");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "portal.db")};Default Timeout=30";
    }
}
