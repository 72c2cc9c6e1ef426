using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Hosting;

internal static class DatabaseStartup
{
    /// <summary>Migrates (when configured) and seeds an empty database; prints new logins once the server listens.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        if (scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(app.Lifetime.ApplicationStopping);
        }
        var logins = await scope.ServiceProvider.GetRequiredService<DemoDataSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);
        await scope.ServiceProvider.GetRequiredService<Infrastructure.Tours.BuiltInTourSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);
        await Infrastructure.Sending.EmbeddedSmsc.CheckProductionAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(),
            scope.ServiceProvider.GetRequiredService<IOptions<Infrastructure.Sending.SmscOptions>>().Value, app.Environment,
            scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Startup"), app.Lifetime.ApplicationStopping);
        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app, logins));
    }

    /// <summary>
    /// Straight to the console, never through logging: the passwords must not reach log files,
    /// and they are shown this once only (they are stored hashed).
    /// </summary>
    private static void PrintBanner(WebApplication app, IReadOnlyList<SeededLogin> logins)
    {
        var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var o = Console.Out;
        o.WriteLine();
        o.WriteLine("==================================================================");
        o.WriteLine($" Portal is running: {string.Join("  ", urls)}");
        o.WriteLine($" Node roles: {app.Services.GetRequiredService<Infrastructure.Cluster.NodeRoles>()}");
        if (logins.Count > 0)
        {
            o.WriteLine(" First sign-in (shown only now; change it under your account menu):");
            foreach (var login in logins)
            {
                o.WriteLine($"   {login.Role,-16} {login.Email,-26} {login.Password}");
            }
            // Issue 14: these roles need a second factor; the first sign-in goes straight to enrolment.
            o.WriteLine(" Administrators and CampaignManagers set up an authenticator app (TOTP) at their");
            o.WriteLine(" first sign-in: have Google Authenticator, Yandex Key, FreeOTP or similar at hand.");
        }
        o.WriteLine("==================================================================");
        o.WriteLine();
    }
}
