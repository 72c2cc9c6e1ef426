using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench dashboard [--messages 1900000] [--ticks 30]</c> against the configured PostgreSQL: one
/// campaign of N messages whose submissions and receipts are spread over the last 30 minutes
/// (half of them inside the chart's 15-minute window), then the live dashboard's read, once cold
/// (today's settled part computed) and <c>--ticks</c> times warm, as every open dashboard does each second.
/// </summary>
internal static class DashboardBench
{
    private const string CampaignName = "Dashboard bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = CliVerbs.Option(args, "messages") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : 1_900_000;
        var ticks = CliVerbs.Option(args, "ticks") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : 30;
        using var host = VerbHost.Build(args[2..]);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            if (db.Database.GetDbConnection() is not NpgsqlConnection)
            {
                Console.Error.WriteLine("bench dashboard runs against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
                return 2;
            }
            await db.Database.MigrateAsync();
            await SeedAsync(db, count);
        }

        var queries = new DashboardQueries(contexts, host.Services.GetRequiredService<IMessageBus>(),
            host.Services.GetRequiredService<IOptions<SendingOptions>>(),
            Options.Create(new DashboardOptions { ShareFor = TimeSpan.Zero }), TimeProvider.System, NullLogger<DashboardQueries>.Instance);
        var day = DateTime.UtcNow.Date;
        var cold = await queries.ReadAsync(day);
        Console.WriteLine($"Cold read (today's settled part computed): {cold.QueryTime.TotalMilliseconds:N0} ms; today sent {cold.Today.Sent:N0}, " +
            $"delivered {cold.Today.Delivered:N0}; campaign total {cold.Campaigns.Sum(c => c.Total):N0}; chart {cold.Throughput.Sum(b => b.Submitted):N0} submitted in 15 min");
        var times = new List<double>(ticks);
        for (var i = 0; i < ticks; i++)
        {
            var wall = Stopwatch.StartNew();
            var s = await queries.ReadAsync(day);
            times.Add(wall.Elapsed.TotalMilliseconds);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, 1000 - wall.ElapsedMilliseconds)));
        }
        times.Sort();
        Console.WriteLine($"Warm tick over {count:N0} messages, {ticks} ticks one second apart: p50 {Pct(times, 0.5):N0} ms, " +
            $"p95 {Pct(times, 0.95):N0} ms, max {times[^1]:N0} ms");
        return 0;
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>Once: one client, one sending campaign and <paramref name="count"/> messages by one INSERT ... SELECT.</summary>
    private static async Task SeedAsync(PortalDbContext db, int count)
    {
        var existing = await db.Campaigns.Where(c => c.Name == CampaignName).Select(c => (int?)c.Id).FirstOrDefaultAsync();
        if (existing is { } id && await db.Messages.CountAsync(x => x.CampaignId == id) == count)
        {
            Console.WriteLine($"Reusing campaign {id} with {count:N0} messages (times are relative to when it was seeded).");
            return;
        }
        var now = DateTime.UtcNow;
        var client = new Client(PhoneNumber.Parse("+79990000001"), "Bench", "Dashboard", now);
        db.Clients.Add(client);
        var segment = new Segment("Dashboard bench", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "bench", now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign(CampaignName, null, MessagePurpose.Service, "bench", now, new CampaignSettings { SegmentId = segment.Id, Body = "Bench" });
        campaign.Schedule(now, now);
        campaign.Start(now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();

        var watch = Stopwatch.StartNew();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        // i % 20: 0-11 delivered, 12-13 submitted, 14 undeliverable, 15-17 queued, 18 deferred, 19 control.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Messages" ("CampaignId", "ClientId", "Phone", "Status", "Parts", "Cost", "CreatedAt", "SubmittedAt", "DoneAt", "Resubmitted")
            SELECT {campaign.Id}, {client.Id}, '+79990000001',
                   CASE WHEN i % 20 < 12 THEN {(int)MessageStatus.Delivered} WHEN i % 20 < 14 THEN {(int)MessageStatus.Submitted}
                        WHEN i % 20 = 14 THEN {(int)MessageStatus.Undeliverable} WHEN i % 20 < 18 THEN {(int)MessageStatus.Queued}
                        WHEN i % 20 = 18 THEN {(int)MessageStatus.Deferred} ELSE {(int)MessageStatus.Control} END,
                   CASE WHEN i % 20 < 15 THEN 1 ELSE 0 END, CASE WHEN i % 20 < 15 THEN 0.35 ELSE 0 END, {now},
                   CASE WHEN i % 20 < 15 THEN {now} - make_interval(secs => i % 1800) END,
                   CASE WHEN i % 20 < 12 OR i % 20 = 14 THEN {now} - make_interval(secs => i % 1800) + interval '5 seconds' END,
                   FALSE
            FROM generate_series(1, {count}) AS i
            """);
        Console.WriteLine($"Seeded {count:N0} messages in {watch.Elapsed.TotalSeconds:N0} s");
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"Messages\"");
    }
}
