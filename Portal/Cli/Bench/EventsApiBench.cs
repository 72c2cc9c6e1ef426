using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Domain.Integrations;
using Portal.Hosting;
using Portal.Infrastructure;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench events-api</c> (issue 15's third target: "5,000 events/s through the API with
/// conversions attributed within 60 s"). The whole web host runs in this process on a loopback port
/// (Kestrel, key check, rate limiter, JSON, <c>ClientEventIngestion</c>, the attribution job as
/// configured); <c>--callers</c> HTTP clients post <c>--events</c> purchases in batches of
/// <c>--batch</c> to <c>POST /api/v1/events</c>, each with an <c>eventId</c> as a CRM would send.
/// Every event belongs to a recipient of a fresh campaign with a purchase goal (10 % control,
/// delivered ten minutes ago, so it is every client's last touch); the bench then waits until the
/// campaign has one conversion per distinct client posted, and prints the accepted events/s, the
/// request latency percentiles and the time from the last accepted event to the last conversion.
/// </summary>
internal static class EventsApiBench
{
    private const string Name = "Events API bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Int(args, "events", 200_000);
        var batch = Int(args, "batch", 500);
        var callers = Int(args, "callers", 8);
        var recipients = Int(args, "recipients", 100_000);
        var clients = Int(args, "clients", recipients);
        var run = Guid.NewGuid().ToString("N")[..8];
        string[] hostArgs = [.. args[2..].Where((a, i) => !IsOwnOption(args[2..], i)), "--Scheduling:Enabled", "false", "--Seed:DemoData", "false",
            "--urls", "http://127.0.0.1:0"];

        // The application is Portal whatever process runs the bench (its static assets manifest is named after it).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, ApplicationName = typeof(EventsApiBench).Assembly.GetName().Name });
        builder.AddPortalInfrastructure();
        builder.AddPortalWeb();
        await using var app = builder.Build();
        app.UsePortalWeb();
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        int campaignId;
        long first;
        var clock = Stopwatch.StartNew();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            if (db.Database.GetDbConnection() is not NpgsqlConnection)
            {
                Console.Error.WriteLine("bench events-api runs against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
                return 2;
            }
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await db.Database.MigrateAsync();
            var present = await db.Clients.LongCountAsync();
            if (present < clients)
            {
                await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(present, clients - present, DateTime.UtcNow), null, CancellationToken.None);
            }
            first = await db.Clients.MinAsync(c => c.Id);
            var sentAt = DateTime.UtcNow.AddMinutes(-10);
            var campaign = new Campaign($"{Name} {run}", null, MessagePurpose.Advertising, "bench", sentAt, new CampaignSettings { Body = "bench", ControlGroupPercent = 10 });
            campaign.SetGoal(new CampaignGoal(GoalEventTypes.Purchase), sentAt);
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            campaignId = campaign.Id;
            await db.Campaigns.Where(c => c.Id == campaignId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CampaignStatus.Completed).SetProperty(c => c.StartedAt, sentAt).SetProperty(c => c.FinishedAt, sentAt.AddMinutes(1)));
            // Messages only: no planted events (per mille 0, no noise); every client delivered or control.
            await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaignId, first, first + recipients - 1, sentAt, SentPerMille: 0, ControlPerMille: 0, Noise: false),
                CancellationToken.None);
            Console.WriteLine($"Data: {await db.Clients.LongCountAsync():N0} clients, {await db.ClientEvents.LongCountAsync():N0} client events before the run; " +
                              $"campaign {campaignId} to {recipients:N0} (10 % control), set-up {clock.Elapsed.TotalSeconds:N0} s");
        }

        var externalIds = await ExternalIdsAsync(contexts, first, recipients);
        var actor = new ClaimsPrincipal(new ClaimsIdentity([new(ClaimTypes.Name, "bench"), new(ClaimTypes.Role, Domain.Access.Roles.Administrator)], "bench"));
        var (_, key) = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(actor, "bench " + run, [ApiScopes.EventsWrite], 100_000, default);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/api/v1/events";
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Bodies are built before the clock starts: the figure is the server's, not the JSON writer's here.
        var batches = (events + batch - 1) / batch;
        var occurredAt = DateTime.UtcNow.AddSeconds(-5).ToString("O", CultureInfo.InvariantCulture);
        var bodies = Enumerable.Range(0, batches).Select(b =>
        {
            var sb = new StringBuilder("[");
            for (var i = b * batch; i < Math.Min(events, (b + 1) * batch); i++)
            {
                if (i > b * batch) sb.Append(',');
                sb.Append(CultureInfo.InvariantCulture, $"{{\"externalId\":\"{externalIds[i % externalIds.Count]}\",\"eventId\":\"{run}-{i}\",\"type\":\"purchase\",\"amount\":{100 + i % 900},\"occurredAt\":\"{occurredAt}\"}}");
            }
            return sb.Append(']').ToString();
        }).ToArray();
        var expected = Math.Min(events, externalIds.Count);
        Console.WriteLine($"Posting {events:N0} purchases in {batches:N0} batches of {batch} from {callers} callers to {url}; {expected:N0} conversions expected");

        var load = LoadAverage();
        var latencies = new double[batches];
        var accepted = 0;
        var failed = 0;
        var next = -1;
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (true)
            {
                var b = Interlocked.Increment(ref next);
                if (b >= batches) return;
                var t0 = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(url, new StringContent(bodies[b], Encoding.UTF8, "application/json"));
                var text = await response.Content.ReadAsStringAsync();
                latencies[b] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (response.IsSuccessStatusCode && System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("accepted").GetInt32() is var n)
                {
                    Interlocked.Add(ref accepted, n);
                }
                else if (Interlocked.Increment(ref failed) <= 3)
                {
                    Console.Error.WriteLine($"  batch {b}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                }
            }
        }));
        var postSeconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        Console.WriteLine($"Accepted {accepted:N0} of {events:N0} in {postSeconds:F1} s = {accepted / postSeconds:N0} events/s ({failed} batches failed); " +
                          $"request latency p50 {P(latencies, 50):F0} ms, p99 {P(latencies, 99):F0} ms, max {latencies[^1]:F0} ms");

        var attributed = 0;
        var deadline = TimeSpan.FromMinutes(5);
        var lastAccepted = clock.Elapsed;
        while (clock.Elapsed - lastAccepted < deadline)
        {
            await using var db = await contexts.CreateDbContextAsync();
            attributed = await db.Conversions.CountAsync(c => c.CampaignId == campaignId);
            if (attributed >= expected) break;
            await Task.Delay(250);
        }
        var lag = clock.Elapsed - lastAccepted;
        Console.WriteLine(attributed >= expected
            ? $"Conversions: all {attributed:N0} attributed {lag.TotalSeconds:F1} s after the last accepted event (target 60 s); {clock.Elapsed.TotalSeconds:F1} s from the first post"
            : $"Conversions: only {attributed:N0} of {expected:N0} attributed {lag.TotalSeconds:F0} s after the last accepted event");
        Console.WriteLine($"Load average: {load} at the start of posting, {LoadAverage()} at the end");
        await app.StopAsync();
        return attributed >= expected && failed == 0 ? 0 : 1;
    }

    private static async Task<List<string>> ExternalIdsAsync(IDbContextFactory<PortalDbContext> contexts, long first, int recipients)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var last = first + recipients - 1;
        return await db.Clients.AsNoTracking().Where(c => c.Id >= first && c.Id <= last && c.ExternalId != null)
            .OrderBy(c => c.Id).Select(c => c.ExternalId!).ToListAsync();
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";

    private static double P(double[] sorted, int percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];

    private static readonly string[] Own = ["--events", "--batch", "--callers", "--recipients", "--clients"];

    private static bool IsOwnOption(string[] args, int i) => Own.Contains(args[i]) || (i > 0 && Own.Contains(args[i - 1]));

    private static int Int(string[] args, string name, int fallback) =>
        CliVerbs.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
