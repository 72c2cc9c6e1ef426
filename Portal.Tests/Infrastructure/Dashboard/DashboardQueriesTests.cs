using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Tests.Infrastructure.Smpp;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Dashboard;

/// <summary>
/// The dashboard's numbers on both databases, from messages seeded at known times under a manual
/// clock: exact totals, exact 10-second buckets, ETA from two readings, providers summed over fresh
/// node rows only.
/// </summary>
public class DashboardQueriesTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly DateTime Day = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);
    // The chart's window is then 11:45:00 .. 12:00:00 (the bucket 12:00:00..12:00:10 is still filling).
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 5, DateTimeKind.Utc);

    internal sealed class ManualClock(DateTime now) : TimeProvider
    {
        public DateTime Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => new(Now);
    }

    private sealed record Fixture(TestDatabase Database, ManualClock Clock, DashboardQueries Queries, int CampaignId, long ClientId, int ProviderId);

    private static async Task<Fixture> CreateAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        var client = new Client(PhoneNumber.Parse("+79160000001"), "Anna", "Smith", Now.AddYears(-1));
        db.Clients.Add(client);
        var segment = new Segment("Everyone", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "tester", Now);
        db.Segments.Add(segment);
        var smsProvider = new SmsProvider("main", ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.35m };
        db.Providers.Add(smsProvider);
        await db.SaveChangesAsync();

        Campaign Make(string name) => new(name, null, MessagePurpose.Service, "tester", Now.AddHours(-3), new CampaignSettings { SegmentId = segment.Id, Body = "Hello" });
        var sending = Make("Sending now");
        sending.Schedule(Now.AddHours(-2), Now.AddHours(-2));
        sending.Start(Now.AddHours(-2));
        var dueToday = Make("Due today");
        dueToday.Schedule(Now.AddHours(3), Now.AddHours(-1));
        var tomorrow = Make("Tomorrow");
        tomorrow.Schedule(Day.AddDays(1).AddHours(9), Now.AddHours(-1));
        var finishedLongAgo = Make("Finished");
        finishedLongAgo.Schedule(Now.AddHours(-3), Now.AddHours(-3));
        finishedLongAgo.Start(Now.AddHours(-3));
        finishedLongAgo.Complete(Now.AddHours(-2));
        db.Campaigns.AddRange(sending, dueToday, tomorrow, finishedLongAgo, Make("Draft"));
        await db.SaveChangesAsync();

        var clock = new ManualClock(Now);
        return new Fixture(database, clock, NewQueries(database, clock), sending.Id, client.Id, smsProvider.Id);
    }

    private static Message Msg(Fixture f, MessageStatus status, DateTime? submitted = null, DateTime? done = null) =>
        new(f.CampaignId, f.ClientId, "+79160000001", Now.AddHours(-2))
        {
            Status = status,
            SubmittedAt = submitted,
            DoneAt = done,
            Parts = submitted is null ? 0 : 2,
            Cost = submitted is null ? 0 : 0.7m,
        };

    private static DateTime At(int hour, int minute, int second) => Day.AddHours(hour).AddMinutes(minute).AddSeconds(second);

    private static async Task SeedMessagesAsync(Fixture f)
    {
        await using var db = f.Database.CreateContext();
        for (var i = 0; i < 3; i++) db.Messages.Add(Msg(f, MessageStatus.Queued));
        for (var i = 0; i < 2; i++) db.Messages.Add(Msg(f, MessageStatus.Deferred));
        db.Messages.Add(Msg(f, MessageStatus.Control));
        // In flight: two in the last complete bucket, one in the bucket still filling (not on the chart).
        for (var i = 0; i < 2; i++) db.Messages.Add(Msg(f, MessageStatus.Submitted, At(11, 59, 55)));
        db.Messages.Add(Msg(f, MessageStatus.Submitting, At(12, 0, 1)));
        // Bucket 78 (11:58:00-11:58:10): five submitted, four delivered, one rejected.
        for (var i = 0; i < 4; i++) db.Messages.Add(Msg(f, MessageStatus.Delivered, At(11, 58, 3), At(11, 58, 7)));
        db.Messages.Add(Msg(f, MessageStatus.Rejected, At(11, 58, 3), At(11, 58, 4)));
        // Earlier today, before the chart's window: counted in today's totals only.
        for (var i = 0; i < 2; i++) db.Messages.Add(Msg(f, MessageStatus.Delivered, At(8, 0, 0), At(8, 0, 10)));
        // Yesterday: in the campaign's progress, not in today's totals.
        for (var i = 0; i < 5; i++) db.Messages.Add(Msg(f, MessageStatus.Delivered, Day.AddHours(-1), Day.AddHours(-1).AddSeconds(30)));
        await db.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Read_GivesExactTotalsCampaignCountsAndBuckets(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await SeedMessagesAsync(f);

        var s = await f.Queries.ReadAsync(Day);

        Assert.Equal(new TodayTotals(Sent: 10, Delivered: 6, Failed: 1, Parts: 20, Cost: 7.0m), s.Today);
        Assert.Equal(["Sending now", "Due today"], s.Campaigns.Select(c => c.Name));
        var c = s.Campaigns[0];
        Assert.Equal((21, 3, 2, 1, 3, 11, 1), (c.Total, c.Queued, c.Deferred, c.Control, c.Submitted, c.Delivered, c.Failed));
        Assert.Equal(13, c.Final);
        Assert.Equal(0, s.Campaigns[1].Total);

        Assert.Equal(90, s.Throughput.Count);
        Assert.Equal(At(11, 45, 0), s.Throughput[0].Start);
        Assert.Equal(At(11, 59, 50), s.Throughput[89].Start);
        Assert.Equal((5, 4), (s.Throughput[78].Submitted, s.Throughput[78].Delivered));
        Assert.Equal((2, 0), (s.Throughput[89].Submitted, s.Throughput[89].Delivered));
        Assert.Equal(7, s.Throughput.Sum(b => b.Submitted));
        Assert.Equal(4, s.Throughput.Sum(b => b.Delivered));

        // A minute on, 11:58 is settled (served from the cache) and 12:00:01 sits in a complete bucket.
        f.Clock.Now = Now.AddMinutes(1);
        var later = await f.Queries.ReadAsync(Day);
        var at1158 = later.Throughput.Single(b => b.Start == At(11, 58, 0));
        Assert.Equal((5, 4), (at1158.Submitted, at1158.Delivered));
        Assert.Equal(8, later.Throughput.Sum(b => b.Submitted));
        Assert.Equal(s.Today, later.Today);

        // Replies (STOP) too since issue 13: a dead-lettered STOP must be visible and replayable.
        Assert.Equal(["portal.dispatch", "portal.receipts", "portal.inbound"], s.Queues.Select(q => q.Queue));
        Assert.All(s.Queues, q => Assert.Equal(0, q.Ready));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task LaterReads_AddSettledMinutesToTheCachedDay_AndNewRowsAppear(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await SeedMessagesAsync(f);
        await f.Queries.ReadAsync(Day);

        // Twenty minutes on: what was live is now settled; one more delivery at 12:10.
        f.Clock.Now = Now.AddMinutes(20);
        await using (var db = f.Database.CreateContext())
        {
            db.Messages.Add(Msg(f, MessageStatus.Delivered, At(12, 9, 58), At(12, 10, 0)));
            await db.SaveChangesAsync();
        }
        var s = await f.Queries.ReadAsync(Day);

        Assert.Equal(new TodayTotals(Sent: 11, Delivered: 7, Failed: 1, Parts: 22, Cost: 7.7m), s.Today);
        Assert.Equal(At(12, 5, 0), s.Throughput[0].Start);
        Assert.Equal(1, s.Throughput.Sum(b => b.Submitted));
        Assert.Equal(1, s.Throughput.Single(b => b.Start == At(12, 10, 0)).Delivered);

        // A viewer in Moscow: their day started at 21:00 UTC yesterday, so yesterday's 23:00 messages count.
        var moscow = await f.Queries.ReadAsync(Day.AddHours(-3));
        Assert.Equal(16, moscow.Today.Sent);
        Assert.Equal(12, moscow.Today.Delivered);
    }

    /// <summary>
    /// Issue 20: with nobody watching, the warmer reads the days viewers asked for, so a viewer's
    /// next read adds only the live minutes to a day already counted. Seen here through the cache's
    /// own rule: a row written afterwards into the settled range is not read again.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Warm_CountsTheDayAViewerAskedFor_TheirNextReadAddsOnlyTheLiveMinutes(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await SeedMessagesAsync(f);
        await f.Queries.ReadAsync(Day);
        f.Clock.Now = Now.AddMinutes(20);

        await f.Queries.WarmAsync(default);
        await AddSettledLateRowAsync(f);
        var s = await f.Queries.ReadAsync(Day);

        // The day as the warmer counted it (10 sent before 12:18), without the row written after it.
        Assert.Equal(10, s.Today.Sent);
        // A cold reader (no warm state) counts the late row: it is there.
        Assert.Equal(11, (await ColdQueries(f).ReadAsync(Day)).Today.Sent);
    }

    [Fact]
    public async Task Warmer_OnAFreshNode_CountsThisNodesDay_EveryInterval()
    {
        var f = await CreateAsync(DatabaseProvider.Sqlite);
        await using var _ = f.Database;
        await SeedMessagesAsync(f);
        f.Clock.Now = Now.AddMinutes(20);
        var day = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(f.Clock.Now, TimeZoneInfo.Local).Date, DateTimeKind.Unspecified), TimeZoneInfo.Local);
        using var warmer = new DashboardWarmer(f.Queries, Options.Create(new DashboardOptions { WarmEvery = TimeSpan.FromMilliseconds(50) }), NullLogger<DashboardWarmer>.Instance);

        await warmer.StartAsync(default);
        await Task.Delay(500);
        await warmer.StopAsync(default);
        await AddSettledLateRowAsync(f);

        Assert.Equal((await ColdQueries(f).ReadAsync(day)).Today.Sent - 1, (await f.Queries.ReadAsync(day)).Today.Sent);
    }

    /// <summary>A row submitted at 12:05, written after a read at 12:20 had settled everything before 12:18.</summary>
    private static async Task AddSettledLateRowAsync(Fixture f)
    {
        await using var db = f.Database.CreateContext();
        db.Messages.Add(Msg(f, MessageStatus.Submitted, At(12, 5, 0)));
        await db.SaveChangesAsync();
    }

    private static DashboardQueries ColdQueries(Fixture f) => NewQueries(f.Database, f.Clock);

    private static DashboardQueries NewQueries(TestDatabase database, ManualClock clock) => new(database.Factory,
        new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance),
        Options.Create(new SendingOptions()),
        // Campaigns recounted every read, whatever this machine's speed.
        Options.Create(new DashboardOptions { ShareFor = TimeSpan.Zero, CampaignQueryBudget = TimeSpan.FromMinutes(1) }),
        clock, NullLogger<DashboardQueries>.Instance);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EstimatedFinish_ComesFromTheRateBetweenReadings(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await using (var db = f.Database.CreateContext())
        {
            for (var i = 0; i < 100; i++) db.Messages.Add(Msg(f, MessageStatus.Queued));
            await db.SaveChangesAsync();
        }
        var first = (await f.Queries.ReadAsync(Day)).Campaigns[0];
        Assert.Null(first.EstimatedFinish);

        // 20 messages become final in 10 s: 2 a second, 80 left, so 40 s more.
        await using (var db = f.Database.CreateContext())
        {
            var ids = await db.Messages.OrderBy(m => m.Id).Take(20).Select(m => m.Id).ToListAsync();
            await db.Messages.Where(m => ids.Contains(m.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MessageStatus.Delivered));
        }
        f.Clock.Now = Now.AddSeconds(10);
        var second = (await f.Queries.ReadAsync(Day)).Campaigns[0];

        Assert.Equal(20.0, second.PercentFinal);
        Assert.Equal(2.0, second.FinalPerSecond);
        Assert.Equal(Now.AddSeconds(50), second.EstimatedFinish);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Providers_SumFreshNodeRows_IgnoreStaleOnes_AndRatesComeFromSuccessiveReadings(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        ProviderNodeStats Row(string node, DateTime at, int binds, long submitted, long errors, long throttled) => new()
        {
            NodeId = node, ProviderId = f.ProviderId, UpdatedAt = at, BindsUp = binds, BindsConfigured = 2,
            WindowInUse = 30, WindowSize = 200, SubmittedTotal = submitted, ErrorsTotal = errors, ThrottledTotal = throttled,
        };
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [
                Row("node-a", Now.AddSeconds(-1), 2, 5000, 0, 0),
                Row("node-b", Now, 1, 2000, 0, 0),
                // Its node died 30 s ago: neither its binds nor its window count.
                Row("node-c", Now.AddSeconds(-30), 2, 90000, 900, 900)], default);
        }
        var first = (await f.Queries.ReadAsync(Day)).Providers.Single();
        Assert.Equal(("main", 2, 3, 4, 60, 400), (first.Name, first.Nodes, first.BindsUp, first.BindsConfigured, first.WindowInUse, first.WindowSize));
        Assert.Equal(ProviderBindState.Partial, first.BindState);
        Assert.Equal(0, first.PartsPerSecond);

        // Ten seconds later: node-a sent 1,000 parts (10 errors, 20 throttled), node-b 500 (5 errors).
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [
                Row("node-a", Now.AddSeconds(9), 2, 6000, 10, 20),
                Row("node-b", Now.AddSeconds(10), 2, 2500, 5, 0)], default);
            Assert.Equal(3, await db.ProviderNodeStats.CountAsync());
        }
        f.Clock.Now = Now.AddSeconds(10);
        var second = (await f.Queries.ReadAsync(Day)).Providers.Single();

        Assert.Equal(150.0, second.PartsPerSecond);
        Assert.Equal(1.0, second.ErrorPercent);
        Assert.Equal(1.33, second.ThrottlePercent);
        Assert.Equal(ProviderBindState.Bound, second.BindState);

        // Nobody reports any more: the provider is listed without a node.
        f.Clock.Now = Now.AddMinutes(1);
        var gone = (await f.Queries.ReadAsync(Day)).Providers.Single();
        Assert.Equal((0, ProviderBindState.NoNode), (gone.Nodes, gone.BindState));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RealConnector_OverSmpp_IsPublishedAndShownAsBound(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await using var rig = await SmppTestRig.StartAsync(connector: o => o.Binds = 2);
        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<SubmitOutcome.Accepted>(await rig.Connector.SubmitAsync(new SmsSubmission($"m{i}", "Portal", "79990001122", "Hello")));
        }

        var reading = ProviderStatsPublisher.Reading("node-x", f.ProviderId, rig.Connector, Now);
        Assert.Equal((2, 2, 0, 100, 5L, 0L), (reading.BindsUp, reading.BindsConfigured, reading.WindowInUse, reading.WindowSize, reading.SubmittedTotal, reading.ErrorsTotal));
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [reading], default);
        }
        var shown = (await f.Queries.ReadAsync(Day)).Providers.Single();
        Assert.Equal((1, 2, ProviderBindState.Bound), (shown.Nodes, shown.BindsUp, shown.BindState));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task DisabledProvider_WhoseNodeStillHoldsBinds_IsNotShownUp(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [new ProviderNodeStats
            {
                NodeId = "node-a", ProviderId = f.ProviderId, UpdatedAt = Now, BindsUp = 2, BindsConfigured = 2, WindowSize = 200,
            }], default);
        }
        Assert.Equal(ProviderBindState.Bound, (await f.Queries.ReadAsync(Day)).Providers.Single().BindState);

        await using (var db = f.Database.CreateContext())
        {
            await db.Providers.Where(p => p.Id == f.ProviderId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Enabled, false));
        }
        var shown = (await f.Queries.ReadAsync(Day)).Providers.Single();

        Assert.Equal(ProviderBindState.Disabled, shown.BindState);
        Assert.False(shown.Enabled);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ThrottlePercent_IsTheShareOfSubmitSmTheSmscAnswered0x58(DatabaseProvider provider)
    {
        // Issue 12: the providers panel showed 0.00 % throttled during a throttle storm. An SMSC
        // contracted at 50/s, 200 messages at once with no speed limit: the panel's figures are what
        // the SMSC itself counted (every submit_sm, throttled resends included, and every 0x58).
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await using var rig = await SmppTestRig.StartAsync(simulator: o => o.Faults.ContractedRate = 50, connector: o => o.Binds = 1);
        var before = ProviderStatsPublisher.Reading("node-x", f.ProviderId, rig.Connector, Now);
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [before], default);
        }
        Assert.Equal(0, (await f.Queries.ReadAsync(Day)).Providers.Single().ThrottlePercent);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            rig.Connector.SubmitAsync(new SmsSubmission($"m{i}", "Portal", "79990001122", "Hello"))));
        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));

        var after = ProviderStatsPublisher.Reading("node-x", f.ProviderId, rig.Connector, Now.AddSeconds(10));
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [after], default);
        }
        f.Clock.Now = Now.AddSeconds(10);
        var shown = (await f.Queries.ReadAsync(Day)).Providers.Single();

        var smsc = rig.Simulator.Statistics;
        Assert.True(smsc.Throttled > 0, "the SMSC should have throttled");
        Assert.Equal(200, smsc.Accepted);
        Assert.Equal((smsc.SubmitSm, smsc.Throttled), (after.SubmittedTotal, after.ThrottledTotal));
        Assert.Equal(Math.Round(100.0 * smsc.Throttled / smsc.SubmitSm, 2), shown.ThrottlePercent);
        Assert.Equal(Math.Round(smsc.SubmitSm / 10.0, 1), shown.PartsPerSecond);
        // Throttles are neither errors nor lost messages.
        Assert.Equal(0, shown.ErrorPercent);
    }

    [Fact]
    public async Task Publisher_WritesThisNodesConnectorsEveryInterval()
    {
        var f = await CreateAsync(DatabaseProvider.Sqlite);
        await using var _ = f.Database;
        await using var rig = await SmppTestRig.StartAsync();
        var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        await using var connections = new ProviderConnections(
            new ReceiptForwarder(bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance), NullLoggerFactory.Instance);
        var settings = new Portal.Infrastructure.Providers.ProviderSettings { Host = "127.0.0.1", Port = rig.Simulator.EndPoint!.Port, SystemId = "portal", Password = "secret", Binds = 1, WindowSize = 10 };
        var sender = await connections.GetAsync(new Portal.Infrastructure.Providers.ProviderRuntime(f.ProviderId, "main", 1, settings), default);
        await sender.SendAsync(new OutgoingSms(1, "Portal", "79990001122", "Hello", null), default);

        var publisher = new ProviderStatsPublisher(connections, f.Database.Factory,
            Options.Create(new DashboardOptions { NodeId = "node-test", PublishInterval = TimeSpan.FromMilliseconds(100) }),
            TimeProvider.System, NullLogger<ProviderStatsPublisher>.Instance);
        await publisher.StartAsync(default);
        try
        {
            ProviderNodeStats? row = null;
            for (var i = 0; i < 50 && row is null; i++)
            {
                await Task.Delay(100);
                await using var db = f.Database.CreateContext();
                row = await db.ProviderNodeStats.SingleOrDefaultAsync(r => r.NodeId == "node-test");
            }
            Assert.NotNull(row);
            Assert.Equal((f.ProviderId, 1, 1, 10, 1L), (row.ProviderId, row.BindsUp, row.BindsConfigured, row.WindowSize, row.SubmittedTotal));
        }
        finally
        {
            await publisher.StopAsync(default);
        }
    }

    /// <summary>A node's connections with HTTP senders built as in the host (one factory client, callback URLs).</summary>
    private static (ProviderConnections Connections, ServiceProvider Services) HttpConnections()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHttpClient();
        services.AddSingleton(Options.Create(new Portal.Infrastructure.Providers.ProvidersOptions { CallbackBaseUrl = "http://portal.test/" }));
        services.AddSingleton<Portal.Infrastructure.Providers.ProviderCallbackUrls>();
        services.AddSingleton<HttpProviderSenders>();
        var sp = services.BuildServiceProvider();
        var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var connections = new ProviderConnections(new ReceiptForwarder(bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance),
            NullLoggerFactory.Instance, httpSenders: sp.GetRequiredService<HttpProviderSenders>());
        return (connections, sp);
    }

    private static Portal.Infrastructure.Providers.ProviderSettings HttpSettings(string url) => new()
    {
        Password = "t0ken",
        Http = new Portal.Infrastructure.Providers.HttpProviderSettings
        {
            Method = "POST", UrlTemplate = url, ContentType = "application/json", BodyTemplate = """{"to":"{to}","text":"{text}"}""",
            MessageIdJsonPath = "$.result.messages[0].id",
        },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task HttpProvider_IsListedReady_WithItsSubmitsThrottlesAndErrors_AndDisabledIsNotUp(DatabaseProvider provider)
    {
        // Issue 12 item 5: HTTP providers were missing from the live dashboard (only SMPP connectors published).
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await using var fake = await Portal.Tests.Infrastructure.Http.FakeHttpProvider.StartAsync();
        int gatewayId;
        await using (var db = f.Database.CreateContext())
        {
            var gateway = new SmsProvider("gateway", ProviderKind.Http, "{}");
            db.Providers.Add(gateway);
            await db.SaveChangesAsync();
            gatewayId = gateway.Id;
        }
        var (connections, sp) = HttpConnections();
        await using var __ = connections;
        await using var ___ = sp;
        var sender = await connections.GetAsync(new Portal.Infrastructure.Providers.ProviderRuntime(gatewayId, "gateway", 1, HttpSettings(fake.Url + "/every-other-429")), default);
        var (id, statistics) = Assert.Single(connections.HttpConnected());
        Assert.Equal(gatewayId, id);
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [ProviderStatsPublisher.Reading("node-a", gatewayId, statistics, Now)], default);
        }
        var listed = (await f.Queries.ReadAsync(Day)).Providers.Single(p => p.ProviderId == gatewayId);
        Assert.Equal((ProviderKind.Http, 1, ProviderBindState.Ready), (listed.Kind, listed.Nodes, listed.BindState));

        // Four one-part messages: two accepted, two answered 429 (throttled, not errors).
        var results = new List<SendResult>();
        for (var i = 0; i < 4; i++) results.Add(await sender.SendAsync(new OutgoingSms(i + 1, "Portal", "+79161234567", "Hello", null), default));
        Assert.Equal(2, results.Count(r => r.Status == MessageStatus.Submitted));
        Assert.Equal(2, results.Count(r => r.Throttled && r.NotSent));
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [ProviderStatsPublisher.Reading("node-a", gatewayId, statistics, Now.AddSeconds(10))], default);
        }
        f.Clock.Now = Now.AddSeconds(10);
        var shown = (await f.Queries.ReadAsync(Day)).Providers.Single(p => p.ProviderId == gatewayId);
        Assert.Equal((0.4, 50.0, 0.0), (shown.PartsPerSecond, shown.ThrottlePercent, shown.ErrorPercent));
        Assert.Equal(ProviderBindState.Ready, shown.BindState);

        await using (var db = f.Database.CreateContext())
        {
            await db.Providers.Where(p => p.Id == gatewayId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Enabled, false));
        }
        f.Clock.Now = Now.AddSeconds(11);
        Assert.Equal(ProviderBindState.Disabled, (await f.Queries.ReadAsync(Day)).Providers.Single(p => p.ProviderId == gatewayId).BindState);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ProviderWhoseCircuitSomeNodeOpened_IsShownCircuitOpen_NotBound_UntilItRunsOut(DatabaseProvider provider)
    {
        var f = await CreateAsync(provider);
        await using var _ = f.Database;
        await using (var db = f.Database.CreateContext())
        {
            await ProviderStatsPublisher.UpsertAsync(db, [new ProviderNodeStats
            {
                NodeId = "node-a", ProviderId = f.ProviderId, UpdatedAt = Now, BindsUp = 2, BindsConfigured = 2, WindowSize = 200,
            }], default);
            db.ProviderCircuits.Add(new Portal.Infrastructure.Providers.ProviderCircuit
            {
                ProviderId = f.ProviderId, OpenUntil = Now.AddSeconds(30), OpenedAt = Now, NodeId = "node-b", Reason = "5 failures in a row",
            });
            await db.SaveChangesAsync();
        }
        var shown = (await f.Queries.ReadAsync(Day)).Providers.Single();
        Assert.Equal((ProviderBindState.CircuitOpen, Now.AddSeconds(30)), (shown.BindState, shown.CircuitOpenUntil));

        f.Clock.Now = Now.AddSeconds(31);
        await using (var db = f.Database.CreateContext())
        {
            await db.ProviderNodeStats.ExecuteUpdateAsync(s => s.SetProperty(r => r.UpdatedAt, Now.AddSeconds(31)));
        }
        Assert.Equal(ProviderBindState.Bound, (await f.Queries.ReadAsync(Day)).Providers.Single().BindState);
    }

    [Fact]
    public async Task Publisher_WritesThisNodesHttpSendersToo()
    {
        var f = await CreateAsync(DatabaseProvider.Sqlite);
        await using var _ = f.Database;
        await using var fake = await Portal.Tests.Infrastructure.Http.FakeHttpProvider.StartAsync();
        var (connections, sp) = HttpConnections();
        await using var __ = connections;
        await using var ___ = sp;
        var sender = await connections.GetAsync(new Portal.Infrastructure.Providers.ProviderRuntime(f.ProviderId, "main", 1, HttpSettings(fake.Url + "/ok")), default);
        Assert.Equal(MessageStatus.Submitted, (await sender.SendAsync(new OutgoingSms(1, "Portal", "+79161234567", "Hello", null), default)).Status);

        var publisher = new ProviderStatsPublisher(connections, f.Database.Factory,
            Options.Create(new DashboardOptions { NodeId = "node-http", PublishInterval = TimeSpan.FromMilliseconds(100) }),
            TimeProvider.System, NullLogger<ProviderStatsPublisher>.Instance);
        await publisher.StartAsync(default);
        try
        {
            ProviderNodeStats? row = null;
            for (var i = 0; i < 50 && row is null; i++)
            {
                await Task.Delay(100);
                await using var db = f.Database.CreateContext();
                row = await db.ProviderNodeStats.SingleOrDefaultAsync(r => r.NodeId == "node-http");
            }
            Assert.NotNull(row);
            Assert.Equal((f.ProviderId, 0, 0, 1L, 0L), (row.ProviderId, row.BindsConfigured, row.WindowInUse, row.SubmittedTotal, row.ThrottledTotal));
        }
        finally
        {
            await publisher.StopAsync(default);
        }
    }

    [Fact]
    public async Task ReadsWithinShareFor_ShareOneSnapshot()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var clock = new ManualClock(Now);
        var queries = new DashboardQueries(database.Factory,
            new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance),
            Options.Create(new SendingOptions()), Options.Create(new DashboardOptions()), clock, NullLogger<DashboardQueries>.Instance);

        var a = await queries.ReadAsync(Day);
        clock.Now = Now.AddMilliseconds(300);
        var b = await queries.ReadAsync(Day);
        clock.Now = Now.AddMilliseconds(600);
        var c = await queries.ReadAsync(Day);

        Assert.Same(a, b);
        Assert.NotSame(b, c);
        Assert.Equal(Now.AddMilliseconds(600), c.At);
    }
}
