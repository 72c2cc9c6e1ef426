using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Campaigns;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Segments.Benchmarks;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench segments [--runs 20]</c> against the configured PostgreSQL (seed it first with
/// <c>seed --clients 1900000 --events-per-client 5</c>): p50/p95 of the 5-criterion count, the
/// 27-criterion nested count and the sample of 20, each next to the same query written by hand.
/// Creates a bench campaign with messages, a static list and a saved segment once.
/// </summary>
internal static class SegmentBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = CliVerbs.Option(args, "runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 20;
        using var host = VerbHost.Build(args[2..]);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var audience = host.Services.GetRequiredService<SegmentAudience>();
        await using var setup = await contexts.CreateDbContextAsync();
        if (setup.Database.GetDbConnection() is not NpgsqlConnection)
        {
            Console.Error.WriteLine("bench segments runs against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
            return 2;
        }
        var (campaignId, listId, segmentId) = await FixturesAsync(setup);
        var clients = await setup.Clients.LongCountAsync();
        var events = await setup.ClientEvents.LongCountAsync();
        Console.WriteLine($"Base: {clients:N0} clients, {events:N0} events; campaign {campaignId}, list {listId}, segment {segmentId}; {runs} runs each");

        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        var five = BenchmarkRules.Five();
        var many = BenchmarkRules.TwentyFive(campaignId, listId, segmentId);
        var connectionString = setup.Database.GetConnectionString()!;

        async Task<long> CountAsync(SegmentRule rule)
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await (await audience.CountQueryAsync(db, rule, null, default)).LongCountAsync();
        }
        async Task<long> SampleAsync(SegmentRule rule) => (await audience.SampleAsync(rule, null, false, default)).Count;
        async Task<long> SqlAsync(string sql, params (string, object)[] parameters)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
            await using var reader = await command.ExecuteReaderAsync();
            long rows = 0, last = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                last = reader.GetInt64(0);
            }
            return rows == 1 ? last : rows;
        }

        (string, object)[] fiveParams = [("from", today.AddYears(-46)), ("to", today.AddYears(-25)), ("since", now.AddDays(-90))];
        (string, object)[] manyParams =
        [
            ("from", today.AddYears(-61)), ("to", today.AddYears(-20)), ("active", now.AddDays(-180)), ("registered", new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("tenure", now.AddMonths(-3)), ("purchase", now.AddDays(-365)), ("payment", now.AddDays(-90)), ("recent", now.AddDays(-30)),
            ("campaign", campaignId), ("list", listId),
        ];

        // Portal and hand-written run alternately, so a change in the machine's load (shared with
        // other builds) hits both alike and the ratio stays meaningful.
        var results = new List<(string Name, double P50, double P95, long Answer)>();
        results.AddRange(await MeasurePairAsync("5-criterion count", runs, () => CountAsync(five), () => SqlAsync(HandWritten.Five, fiveParams)));
        results.AddRange(await MeasurePairAsync("27-criterion nested count", runs, () => CountAsync(many), () => SqlAsync(HandWritten.TwentyFive, manyParams)));
        results.AddRange(await MeasurePairAsync("sample of 20", runs, () => SampleAsync(five), () => SqlAsync(HandWritten.FiveSample, fiveParams)));
        if (CliVerbs.Option(args, "before-runs") is { } b && int.Parse(b, CultureInfo.InvariantCulture) > 0)
        {
            // The shape before issue 5's roll-ups (EXISTS over events, a full message count), same data, same moment.
            results.AddRange(await MeasurePairAsync("27-criterion, hand-written", int.Parse(b, CultureInfo.InvariantCulture),
                () => SqlAsync(HandWritten.TwentyFiveBefore, manyParams), () => SqlAsync(HandWritten.TwentyFive, manyParams),
                "before: EXISTS, count", "after: roll-ups, early exit"));
        }
        foreach (var (name, p50, p95, answer) in results)
        {
            Console.WriteLine($"{name,-70} p50 {p50,7:F1} ms   p95 {p95,7:F1} ms   answer {answer:N0}");
        }
        await using (var db = await contexts.CreateDbContextAsync())
        {
            Console.WriteLine("\n-- generated SQL, 5 criteria:\n" + (await audience.CountQueryAsync(db, five, null, default)).Select(c => c.Id).ToQueryString());
            Console.WriteLine("\n-- generated SQL, 27 criteria:\n" + (await audience.CountQueryAsync(db, many, null, default)).Select(c => c.Id).ToQueryString());
        }
        var mismatch = results[0].Answer != results[1].Answer || results[2].Answer != results[3].Answer ||
                       (results.Count > 6 && results[6].Answer != results[7].Answer);
        if (mismatch)
        {
            Console.Error.WriteLine("Portal and the hand-written SQL disagree on a count.");
        }
        return mismatch ? 1 : 0;
    }

    private static async Task<(string, double, double, long)[]> MeasurePairAsync(string name, int runs, Func<Task<long>> portal, Func<Task<long>> byHand,
        string first = "Portal, EF", string second = "hand-written SQL")
    {
        long a = 0, b = 0;
        for (var i = 0; i < 2; i++)
        {
            (a, b) = (await portal(), await byHand());
        }
        var (times, handTimes) = (new List<double>(), new List<double>());
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            a = await portal();
            times.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            b = await byHand();
            handTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
        return [Summary($"{name} ({first})", times, a), Summary($"{name} ({second})", handTimes, b)];
    }

    private static (string, double, double, long) Summary(string name, List<double> times, long answer)
    {
        times.Sort();
        double Percentile(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        return (name, Percentile(0.50), Percentile(0.95), answer);
    }

    private static async Task<(int Campaign, int List, int Segment)> FixturesAsync(PortalDbContext db)
    {
        const string name = "Bench audience fixtures";
        var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Name == name);
        if (campaign is null)
        {
            var now = DateTime.UtcNow;
            campaign = new Campaign(name, null, MessagePurpose.Advertising, "bench", now);
            db.Campaigns.Add(campaign);
            var list = new StaticList(name, null, "bench", now);
            db.StaticLists.Add(list);
            db.Segments.Add(new Segment(name, null, SegmentRuleJson.Serialize(SegmentRuleJson.Parse(
                """{"version":1,"root":{"children":[{"type":"condition","criterion":"loyaltyTier","operator":"greaterOrEqual","value":"Gold"}]}}""")), "bench", now));
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "Messages" ("CampaignId", "ClientId", "Phone", "Status", "Parts", "Cost", "CreatedAt")
                SELECT {campaign.Id}, "Id", "Phone", 4, 1, 0, {now.AddDays(-5)} FROM "Clients" WHERE "Id" % 50 = 0
                """);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "StaticListMembers" ("ListId", "ClientId") SELECT {list.Id}, "Id" FROM "Clients" WHERE "Id" % 200 = 0
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }
        var listId = await db.StaticLists.Where(l => l.Name == name).Select(l => l.Id).FirstAsync();
        var segmentId = await db.Segments.Where(s => s.Name == name).Select(s => s.Id).FirstAsync();
        return (campaign.Id, listId, segmentId);
    }

    /// <summary>
    /// The benchmark audiences as a person would write them for PostgreSQL, in the same shape as
    /// Portal's: event criteria on the roll-up columns, the message count as an early-exit EXISTS.
    /// </summary>
    private static class HandWritten
    {
        public const string FiveWhere = """
            c."RegionCode" IN ('MOW', 'MOS', 'SPE')
              AND c."BirthDate" > @from AND c."BirthDate" <= @to
              AND c."AdvertisingConsentGranted"
              AND c."TotalSpend" > 10000
              AND c."LastPurchaseEventAt" >= @since
              AND c."OptedOutAt" IS NULL
            """;

        public const string Five = "SELECT count(*) FROM \"Clients\" c WHERE " + FiveWhere;

        public const string FiveSample = "SELECT c.\"Id\", c.\"ExternalId\", c.\"Phone\", c.\"FirstName\", c.\"LastName\", c.\"RegionCode\", c.\"City\", c.\"Status\", c.\"LoyaltyTier\", c.\"TotalSpend\" " +
                                         "FROM \"Clients\" c WHERE " + FiveWhere + " ORDER BY c.\"Id\" LIMIT 20";

        /// <summary>
        /// Written the way a person who read the plan would: the conditions PostgreSQL keeps as
        /// correlated SubPlans (the purchase OR-branch with its EXISTS, the message-count early exit)
        /// above an OFFSET 0 fence, so the rest runs as a parallel scan (see ParallelScanFence).
        /// </summary>
        public const string TwentyFive = """
            SELECT count(*) FROM (
              SELECT c."Id", c."LastPurchaseEventAt", c."MaxPurchaseEventAmount", c."LastPurchaseEventAmount",
                     c."LastPaymentEventAt", c."PurchaseCount"
              FROM "Clients" c
              WHERE c."BirthDate" > @from AND c."BirthDate" <= @to
                AND c."Status" = 1
                AND c."AdvertisingConsentGranted"
                AND (c."RegionCode" IN ('MOW', 'SPE', 'MOS', 'KDA', 'TA') OR c."TimeZone" = 'Asia/Yekaterinburg'
                     OR (lower(c."City") LIKE 'н%' AND c."Operator" IN ('MTS', 'MegaFon')))
                AND NOT (c."LoyaltyTier" = 0 AND c."TotalSpend" < 1000)
                AND c."LastActivityAt" >= @active
                AND c."RegisteredAt" < @registered
                AND c."RegisteredAt" <= @tenure
                AND c."PurchaseCount" > 0 AND c."TotalSpend" / c."PurchaseCount" > 300
                AND c."Balance" > -500
                AND c."Language" = 'ru'
                AND c."Gender" IN (1, 2)
                AND c."Tariff" IS DISTINCT FROM 'Бизнес'
                AND c."LastPurchaseAt" IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM "Messages" m WHERE m."ClientId" = c."Id" AND m."CampaignId" = @campaign AND m."Status" IN (3, 4, 5, 6, 8, 9))
                AND NOT EXISTS (SELECT 1 FROM "StaticListMembers" l WHERE l."ClientId" = c."Id" AND l."ListId" = @list)
                AND c."LoyaltyTier" < 2
                AND c."OptedOutAt" IS NULL
              OFFSET 0) c
            WHERE ((c."LastPurchaseEventAt" IS NOT NULL AND c."LastPurchaseEventAt" >= @purchase
                    AND c."MaxPurchaseEventAmount" IS NOT NULL AND c."MaxPurchaseEventAmount" > 500
                    AND (c."LastPurchaseEventAmount" > 500
                         OR EXISTS (SELECT 1 FROM "ClientEvents" e WHERE e."ClientId" = c."Id" AND e."Type" = 1 AND e."OccurredAt" >= @purchase AND e."Amount" > 500)))
                   OR c."LastPaymentEventAt" >= @payment
                   OR c."PurchaseCount" >= 3)
              AND NOT EXISTS (SELECT 1 FROM "Messages" m WHERE m."ClientId" = c."Id" AND m."CreatedAt" >= @recent AND m."Status" NOT IN (2, 10)
                              ORDER BY m."CreatedAt" OFFSET 2)
            """;

        /// <summary>The 27-criterion count as it was written before the roll-ups: for the before/after row.</summary>
        public const string TwentyFiveBefore = """
            SELECT count(*) FROM "Clients" c
            WHERE c."BirthDate" > @from AND c."BirthDate" <= @to
              AND c."Status" = 1
              AND c."AdvertisingConsentGranted"
              AND (c."RegionCode" IN ('MOW', 'SPE', 'MOS', 'KDA', 'TA') OR c."TimeZone" = 'Asia/Yekaterinburg'
                   OR (c."City" LIKE 'Н%' AND c."Operator" IN ('MTS', 'MegaFon')))
              AND NOT (c."LoyaltyTier" = 0 AND c."TotalSpend" < 1000)
              AND c."LastActivityAt" >= @active
              AND c."RegisteredAt" < @registered
              AND c."RegisteredAt" <= @tenure
              AND (EXISTS (SELECT 1 FROM "ClientEvents" e WHERE e."ClientId" = c."Id" AND e."Type" = 1 AND e."OccurredAt" >= @purchase AND e."Amount" > 500)
                   OR EXISTS (SELECT 1 FROM "ClientEvents" e WHERE e."ClientId" = c."Id" AND e."Type" = 2 AND e."OccurredAt" >= @payment)
                   OR c."PurchaseCount" >= 3)
              AND c."PurchaseCount" > 0 AND c."TotalSpend" / c."PurchaseCount" > 300
              AND c."Balance" > -500
              AND c."Language" = 'ru'
              AND c."Gender" IN (1, 2)
              AND c."Tariff" IS DISTINCT FROM 'Бизнес'
              AND c."LastPurchaseAt" IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM "Messages" m WHERE m."ClientId" = c."Id" AND m."CampaignId" = @campaign AND m."Status" IN (3, 4, 5, 6, 8, 9))
              AND (SELECT count(*) FROM "Messages" m WHERE m."ClientId" = c."Id" AND m."CreatedAt" >= @recent AND m."Status" NOT IN (2, 10)) < 3
              AND NOT EXISTS (SELECT 1 FROM "StaticListMembers" l WHERE l."ClientId" = c."Id" AND l."ListId" = @list)
              AND c."LoyaltyTier" < 2
              AND c."OptedOutAt" IS NULL
            """;
    }
}
