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
        var queries = new DashboardQueries(database.Factory, bus, Options.Create(new SendingOptions()), Options.Create(new DashboardOptions()), clock, NullLogger<DashboardQueries>.Instance);

        var first = await queries.ReadAsync(Day);
        await using (var db = database.CreateContext()) await db.Campaigns.Where(c => c.Id == dueId).ExecuteDeleteAsync();
        clock.Now = Now.AddSeconds(20);
        var second = await queries.ReadAsync(Day);

        Assert.Equal(dueId, Assert.Single(first.Campaigns).Id);
        Assert.Empty(second.Campaigns);
        Assert.Equal(second.Throughput.Count, first.Throughput.Count);
        Assert.Equal(first.Throughput[0].Start.AddSeconds(20), second.Throughput[0].Start);
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
}
