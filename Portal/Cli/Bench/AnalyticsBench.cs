using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench analytics [--clients 1900000] [--events-per-client 5] [--campaigns 50] [--runs 10]</c> against the
/// configured PostgreSQL (issue 15): seeds demo clients and events (resumable), one campaign to every
/// client with a planted effect, and <c>--campaigns</c> - 1 smaller ones; then measures attribution
/// throughput (every event through <see cref="ConversionAttributor"/>), the campaign's results with
/// nothing kept (kept cells dropped before each read), after 1,000 new events since the last read
/// (the responders' part recomputed), and unchanged; and the across-campaigns report.
/// </summary>
internal static class AnalyticsBench
{
    private const string BigName = "Analytics bench";

    public static async Task<int> RunAsync(string[] args)
    {
        long Opt(string name, long fallback) => CliVerbs.Option(args, name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var clients = Opt("clients", 1_900_000);
        var perClient = (int)Opt("events-per-client", 5);
        var campaigns = (int)Opt("campaigns", 50);
        var runs = (int)Opt("runs", 10);
        using var host = VerbHost.Build(args[2..]);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var results = host.Services.GetRequiredService<CampaignResults>();
        var report = host.Services.GetRequiredService<CampaignsReport>();
        var attributor = host.Services.GetRequiredService<ConversionAttributor>();
        int bigId;
        var clock = Stopwatch.StartNew();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            if (db.Database.GetDbConnection() is not NpgsqlConnection)
            {
                Console.Error.WriteLine("bench analytics runs against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
                return 2;
            }
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await db.Database.MigrateAsync();
            var present = await db.Clients.LongCountAsync();
            if (present < clients)
            {
                await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(present, clients - present, DateTime.UtcNow), null, CancellationToken.None);
            }
            await DemoEventWriter.WriteAsync(db, perClient, DateTime.UtcNow, null, CancellationToken.None);
            var existing = await db.Campaigns.Where(c => c.Name == BigName).Select(c => (int?)c.Id).FirstOrDefaultAsync();
            var first = await db.Clients.MinAsync(c => c.Id);
            var last = await db.Clients.MaxAsync(c => c.Id);
            var sentAt = DateTime.UtcNow.Date.AddDays(-10).AddHours(10);
            bigId = existing ?? await AddAsync(db, BigName, first, last, sentAt);
            var small = await db.Campaigns.CountAsync(c => c.Name.StartsWith(BigName + " #"));
            var span = Math.Max(1, (last - first + 1) / Math.Max(1, campaigns - 1));
            for (var i = small; i < campaigns - 1; i++)
            {
                var from = first + i * span;
                await AddAsync(db, $"{BigName} #{i + 1}", from, Math.Min(last, from + Math.Min(span, 40_000) - 1), sentAt.AddDays(-7 - i % 60));
            }
            var events = await db.ClientEvents.LongCountAsync();
            var messages = await db.Messages.LongCountAsync(m => m.CampaignId == bigId);
            Console.WriteLine($"Data: {await db.Clients.LongCountAsync():N0} clients, {events:N0} client events, {messages:N0} recipients in the big campaign, " +
                              $"{campaigns} campaigns (set-up {clock.Elapsed.TotalSeconds:N0} s)");
        }

        // Attribution: every event not yet read, in batches as the job does.
        clock.Restart();
        var attributed = await attributor.CatchUpAsync(5_000, CancellationToken.None);
        clock.Stop();
        if (attributed > 0)
        {
            Console.WriteLine($"Attribution: {attributed:N0} events in {clock.Elapsed.TotalSeconds:N1} s = {attributed / clock.Elapsed.TotalSeconds:N0} events/s (target 5,000/s)");
        }

        var cold = new List<double>();
        for (var i = 0; i < Math.Max(3, runs / 3); i++)
        {
            await results.InvalidateAsync(bigId, CancellationToken.None);
            clock.Restart();
            var r = await results.GetAsync(bigId, CancellationToken.None);
            cold.Add(clock.Elapsed.TotalMilliseconds);
            if (i == 0)
            {
                var t = r!.Total;
                Console.WriteLine($"Results: sent {t.Sent.Recipients:N0} ({t.Uplift.SentRate:P2}), control {t.Control.Recipients:N0} ({t.Uplift.ControlRate:P2}), " +
                                  $"uplift {t.Uplift.AbsoluteUplift:P2}, verdict {t.Uplift.Verdict}, {r.Breakdown.Count} breakdown rows");
            }
        }
        // What a reader meets after events, replies or opt-outs arrived: new purchases of recipients,
        // attributed, then the read (only the responders' part is recomputed; the base part is kept).
        var changed = new List<double>();
        var random = new Random(15);
        for (var i = 0; i < runs; i++)
        {
            await using (var db = await contexts.CreateDbContextAsync())
            {
                var sentAt = await db.Campaigns.Where(c => c.Id == bigId).Select(c => c.StartedAt!.Value).SingleAsync();
                var first = await db.Clients.MinAsync(c => c.Id);
                for (var k = 0; k < 1_000; k++)
                {
                    db.ClientEvents.Add(new ClientEvent(first + random.NextInt64(clients), ClientEventType.Purchase,
                        sentAt.AddHours(2 + random.Next(100)), 100m));
                }
                await db.SaveChangesAsync();
            }
            await attributor.CatchUpAsync(5_000, CancellationToken.None);
            clock.Restart();
            await results.GetAsync(bigId, CancellationToken.None);
            changed.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"Campaign results after 1,000 new events (attributed) since the last read: p50 {P(changed, 50):N0} ms, p95 {P(changed, 95):N0} ms (target 2,000)");

        var warm = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            clock.Restart();
            await results.GetAsync(bigId, CancellationToken.None);
            warm.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"Campaign results, nothing kept (both parts computed: a first read, or the attribution job's refresh): p50 {P(cold, 50):N0} ms, p95 {P(cold, 95):N0} ms");
        Console.WriteLine($"Campaign results, unchanged since the last read: p50 {P(warm, 50):N1} ms, p95 {P(warm, 95):N1} ms (target 300)");

        var filter = new CampaignsReportFilter(DateTime.UtcNow.AddYears(-1), DateTime.UtcNow.AddDays(1));
        clock.Restart();
        var first50 = await report.GetAsync(filter, null, 30, CancellationToken.None);
        Console.WriteLine($"Across campaigns, first read (cells of {first50.Campaigns.Count} campaigns computed): {clock.Elapsed.TotalSeconds:N1} s");
        var across = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            clock.Restart();
            await report.GetAsync(filter, null, 30, CancellationToken.None);
            across.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"Across {first50.Campaigns.Count} campaigns: p50 {P(across, 50):N0} ms, p95 {P(across, 95):N0} ms (target 1,000)");
        return 0;
    }

    private static async Task<int> AddAsync(PortalDbContext db, string name, long first, long last, DateTime at)
    {
        var campaign = new Campaign(name, null, MessagePurpose.Advertising, "bench", at, new CampaignSettings { Body = "bench", ControlGroupPercent = 10 });
        campaign.SetGoal(new CampaignGoal(GoalEventTypes.Purchase | GoalEventTypes.Payment), at);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        await db.Campaigns.Where(c => c.Id == campaign.Id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Status, CampaignStatus.Completed).SetProperty(c => c.StartedAt, at).SetProperty(c => c.FinishedAt, at.AddHours(1)));
        await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaign.Id, first, last, at, UndeliverableEvery: 25, ReplyEvery: 50, OptOutEvery: 300), CancellationToken.None);
        return campaign.Id;
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
