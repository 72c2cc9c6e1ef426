using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Postgres;
using Portal.Infrastructure.Persistence.Sqlite;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Retention;
using Portal.Infrastructure.Scheduling;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Telemetry;
using Portal.Infrastructure.Templates;
using Portal.Infrastructure.Tours;

namespace Portal.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Everything below the UI: database, messaging, seeding, audit, sync and scheduling. Chosen once from configuration.</summary>
    public static IHostApplicationBuilder AddPortalInfrastructure(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        // Issue 13: which hosted services this node runs (web, scheduler, sender; all by default).
        var roles = Cluster.NodeRoles.From(configuration);
        services.AddSingleton(roles);
        services.AddSingleton(TimeProvider.System);
        services.AddPortalOptions<DatabaseOptions>(configuration, DatabaseOptions.Section);
        services.AddPortalOptions<SeedOptions>(configuration, SeedOptions.Section);

        AddDatabase(services, configuration, builder.Environment.ContentRootPath);
        services.AddScoped<DatabaseInitializer>();
        services.AddScoped<DemoDataSeeder>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<DepartmentScopes>();

        // One call per feature folder, each registering its own types and options (issue 21).
        services.AddPortalTours();
        services.AddPortalClients();
        services.AddPortalImporting(configuration);
        services.AddPortalRetention(configuration);
        services.AddPortalIntegrations(configuration, builder.Environment.ContentRootPath);
        services.AddPortalScheduling(configuration, roles);
        services.AddPortalSegments();
        services.AddPortalTemplates();
        services.AddPortalCampaigns(configuration);
        services.AddPortalInbound(configuration);
        services.AddPortalAnalytics(configuration, roles);
        services.AddPortalBi(configuration);

        services.AddPortalMessaging(configuration);
        // Hosted services start in this order: alerts' escalation and the API's callbacks before the senders.
        services.AddPortalAlerts(configuration);
        services.AddPortalMessagesApi(configuration);
        services.AddPortalSending(configuration, roles);
        services.AddPortalDashboard(configuration, roles);
        services.AddPortalProviders(configuration);

        services.AddHealthChecks()
            .AddDbContextCheck<PortalDbContext>("database")
            .AddCheck<MessageBusHealthCheck>("broker");
        builder.AddPortalTelemetry();
        services.AddPortalNodeGauges(configuration);
        return builder;
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

    /// <summary>The embedded default: a SQLite file under App_Data next to the app.</summary>
    private static string EmbeddedSqlite(string contentRoot)
    {
        var folder = Path.Combine(contentRoot, "App_Data");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "portal.db")};Default Timeout=30";
    }
}
