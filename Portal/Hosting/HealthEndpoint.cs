using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Telemetry;

namespace Portal.Hosting;

internal static class HealthEndpoint
{
    /// <summary>
    /// <c>/health</c>: overall status and one entry per dependency (database, broker), as JSON.
    /// Issue 22: <c>/health/live</c> answers from the process alone (no dependency: an orchestrator
    /// restarts only a wedged process, not one whose database is down); <c>/health/ready</c> adds the
    /// checks tagged ready-only (a sender node with no provider bound) to database and broker.
    /// </summary>
    public static void MapPortalHealthChecks(this WebApplication app)
    {
        app.MapPortalHealthChecks("/health", c => !c.Tags.Contains(ProviderReadyHealthCheck.ReadyOnlyTag));
        app.MapPortalHealthChecks("/health/live", _ => false);
        app.MapPortalHealthChecks("/health/ready", _ => true);
    }

    private static void MapPortalHealthChecks(this WebApplication app, string path, Func<HealthCheckRegistration, bool> predicate)
    {
        // Issue 14 (ASVS V16.5.1): exception text (hosts, users, SQL) only where errors are detailed (Development).
        var detailed = app.Services.GetRequiredService<IOptions<WebSecuritySettings>>().Value.ShowsDetailedErrors(app.Environment);
        app.MapHealthChecks(path, new HealthCheckOptions
        {
            Predicate = predicate,
            ResponseWriter = async (context, report) =>
            {
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, new
                {
                    status = report.Status.ToString(),
                    durationMs = (int)report.TotalDuration.TotalMilliseconds,
                    checks = report.Entries.ToDictionary(e => e.Key, e => new
                    {
                        status = e.Value.Status.ToString(),
                        description = detailed ? e.Value.Description ?? e.Value.Exception?.Message
                            : e.Value.Status == HealthStatus.Healthy ? e.Value.Description : null,
                    }),
                }, new JsonSerializerOptions(JsonSerializerDefaults.Web));
            },
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
    }
}
