using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Segments;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Dashboard;

/// <summary>The dashboard across ticks (a campaign gone, the chart window sliding) and with a queue whose statistics fail, on real SQLite.</summary>
public class DashboardRefreshTests
{
    private static readonly DateTime Day = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 5, DateTimeKind.Utc);

    /// <summary>The in-process bus, except that one queue's statistics cannot be read.</summary>
    private sealed class FailingStatsBus(IMessageBus inner, string failing) : IMessageBus
    {
        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) => inner.PublishAsync(queue, message, ct);

        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            inner.SubscribeAsync(queue, handler, options, ct);

        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) =>
            queue == failing ? throw new IOException("broker unreachable") : inner.GetStatsAsync(queue, ct);
    }

    private static async Task<(TestDatabase Database, int DueToday)> SeedAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        var client = new Portal.Domain.Clients.Client(Portal.Domain.Clients.PhoneNumber.Parse("+79160000001"), "Anna", null, Now.AddYears(-1));
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        // Sent in the chart's first bucket (11:45:00..11:45:10): in the window now, out of it 20 s later.
        db.Messages.Add(new Portal.Domain.Messages.Message(null, client.Id, client.Phone, Now.AddMinutes(-16))
        {
            Status = Portal.Domain.Messages.MessageStatus.Submitted, SubmittedAt = new DateTime(2026, 11, 25, 11, 45, 5, DateTimeKind.Utc), Parts = 1,
        });
        var segment = new Segment("Everyone", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "tester", Now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var due = new Campaign("Due today", null, MessagePurpose.Service, "tester", Now.AddHours(-3), new CampaignSettings { SegmentId = segment.Id, Body = "Hello" });
        due.Schedule(Now.AddHours(3), Now.AddHours(-1));
        db.Campaigns.Add(due);
        await db.SaveChangesAsync();
        return (database, due.Id);
    }

    [Fact]
    public async Task NextTick_CampaignGoneAndWindowMoved_CardDroppedAndChartStartsLater()
    {
        var (database, dueId) = await SeedAsync();
        await using var _ = database;
        var clock = new DashboardQueriesTests.ManualClock(Now);
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        // A budget no count exceeds: every tick recounts (a loaded machine must not turn on the slow-count cache).
        var options = new DashboardOptions { CampaignQueryBudget = TimeSpan.FromMinutes(5) };
        var queries = new DashboardQueries(database.Factory, bus, Options.Create(new SendingOptions()), Options.Create(options), clock, NullLogger<DashboardQueries>.Instance);

        var first = await queries.ReadAsync(Day);
        await using (var db = database.CreateContext()) await db.Campaigns.Where(c => c.Id == dueId).ExecuteDeleteAsync();
        clock.Now = Now.AddSeconds(20);
        var second = await queries.ReadAsync(Day);

        Assert.Equal(dueId, Assert.Single(first.Campaigns).Id);
        Assert.Empty(second.Campaigns);
        Assert.Equal(second.Throughput.Count, first.Throughput.Count);
        Assert.Equal(first.Throughput[0].Start.AddSeconds(20), second.Throughput[0].Start);
        Assert.Equal(1, first.Throughput[0].Submitted);
        Assert.Equal(0, second.Throughput.Sum(b => b.Submitted));
    }

    [Fact]
    public async Task QueueStatisticsFail_ThatQueueLeftOutAndTheRestStillShown()
    {
        var (database, _) = await SeedAsync();
        await using var __ = database;
        var sending = new SendingOptions();
        await using var inner = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var queries = new DashboardQueries(database.Factory, new FailingStatsBus(inner, sending.ReceiptQueue), Options.Create(sending),
            Options.Create(new DashboardOptions()), new DashboardQueriesTests.ManualClock(Now), NullLogger<DashboardQueries>.Instance);

        var snapshot = await queries.ReadAsync(Day);

        Assert.Equal([sending.ChunkQueue, sending.InboundQueue], snapshot.Queues.Select(q => q.Queue));
        Assert.Single(snapshot.Campaigns);
    }

    [Fact]
    public async Task SlowCampaignCount_ReusedForTheNextTicks_ThenCountedAgain()
    {
        var (database, dueId) = await SeedAsync();
        await using var _ = database;
        var clock = new DashboardQueriesTests.ManualClock(Now);
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        // Every count is "slow" against a one-tick budget: it is reused for the next four ticks.
        var options = new DashboardOptions { CampaignQueryBudget = TimeSpan.FromTicks(1) };
        var queries = new DashboardQueries(database.Factory, bus, Options.Create(new SendingOptions()), Options.Create(options), clock, NullLogger<DashboardQueries>.Instance);

        await queries.ReadAsync(Day);
        await using (var db = database.CreateContext()) await db.Campaigns.Where(c => c.Id == dueId).ExecuteDeleteAsync();
        var shown = new List<int>();
        for (var tick = 1; tick <= 5; tick++)
        {
            clock.Now = Now.AddSeconds(tick);
            shown.Add((await queries.ReadAsync(Day)).Campaigns.Count);
        }

        Assert.Equal([1, 1, 1, 1, 0], shown);
    }

    [Fact]
    public async Task SandboxCampaignTraffic_LeftOutOfTheChart()
    {
        var (database, _) = await SeedAsync();
        await using var __ = database;
        await using (var db = database.CreateContext())
        {
            var training = new Campaign("Training", null, MessagePurpose.Service, "trainee", Now.AddHours(-1), new CampaignSettings { SegmentId = (await db.Segments.FirstAsync()).Id, Body = "Hi" });
            training.PlaceInSandbox("trainee-1");
            training.Schedule(Now.AddMinutes(-30), Now.AddMinutes(-40));
            training.Start(Now.AddMinutes(-30));
            db.Campaigns.Add(training);
            await db.SaveChangesAsync();
            var client = await db.Clients.FirstAsync();
            db.Messages.Add(new Portal.Domain.Messages.Message(training.Id, client.Id, client.Phone, Now.AddMinutes(-11))
            {
                Status = Portal.Domain.Messages.MessageStatus.Submitted, SubmittedAt = Now.AddMinutes(-10), Parts = 1,
            });
            await db.SaveChangesAsync();
        }
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var queries = new DashboardQueries(database.Factory, bus, Options.Create(new SendingOptions()), Options.Create(new DashboardOptions()),
            new DashboardQueriesTests.ManualClock(Now), NullLogger<DashboardQueries>.Instance);

        var snapshot = await queries.ReadAsync(Day);

        // Only the real message of 11:45:05 is on the chart; the sandbox one never left the building.
        Assert.Equal(1, snapshot.Throughput.Sum(b => b.Submitted));
        Assert.Equal(1, snapshot.Throughput[0].Submitted);
    }
}
