using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Infrastructure.Messaging;
using Portal.Tests.Support;
using RabbitMQ.Client;

namespace Portal.Tests.Infrastructure.Messaging;

/// <summary>
/// Issue 21 (coverage): the RabbitMQ bus's error paths against the real broker: nacked publishes,
/// a publisher confirm that never comes in time, a publishing channel closed under the bus, and
/// dead letters without an x-death header.
/// </summary>
public sealed class RabbitMqFailurePathTests : IAsyncLifetime
{
    private readonly string _queue = $"portal-test.{Guid.NewGuid():N}";
    private readonly List<RabbitMqMessageBus> _buses = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using (var connection = await ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(_queue, ifUnused: false, ifEmpty: false);
            await channel.QueueDeleteAsync(_queue + ".dead", ifUnused: false, ifEmpty: false);
        }
        foreach (var bus in _buses) await bus.DisposeAsync();
    }

    private RabbitMqMessageBus CreateBus(TimeSpan? publishTimeout = null)
    {
        var options = new MessagingOptions
        {
            Transport = MessagingTransport.RabbitMq,
            MaxDeliveryAttempts = 3,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            PublishTimeout = publishTimeout ?? TimeSpan.FromSeconds(10),
            ShutdownTimeout = TimeSpan.FromMilliseconds(300),
        };
        options.RabbitMq.Uri = TestEnvironment.RabbitMq;
        options.RabbitMq.ClientName = "portal-tests-failure-paths";
        var bus = new RabbitMqMessageBus(options, NullLogger<RabbitMqMessageBus>.Instance);
        _buses.Add(bus);
        return bus;
    }

    /// <summary>
    /// A queue that refuses every message (full, reject-publish overflow) makes the broker nack:
    /// the bus publishes again <see cref="RabbitMqMessageBus.NackAttempts"/> times in all, then
    /// reports a nack naming the queue; nothing lands in the queue.
    /// </summary>
    [Fact]
    public async Task PublishAsync_BrokerNacksEveryAttempt_RetriesThenFailsAsANack()
    {
        var bus = CreateBus();
        await bus.PublishAsync(_queue, new TestMessage(1, "declares the queue"));
        // Replace the declared queue behind the bus (it does not declare again) by one that takes nothing.
        await using (var connection = await ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(_queue, ifUnused: false, ifEmpty: false);
            await channel.QueueDeclareAsync(_queue, durable: false, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-max-length"] = 0, ["x-overflow"] = "reject-publish" });
        }

        var error = await Assert.ThrowsAsync<MessagePublishException>(() => bus.PublishAsync(_queue, new TestMessage(2, "refused")));

        Assert.Equal($"RabbitMQ did not confirm the message on queue '{_queue}' (nack).", error.Message);
        Assert.Equal(0u, await MessageCountAsync(_queue));
        Assert.True(bus.IsConnected);
    }

    /// <summary>
    /// No confirm within the publish timeout: the caller gets a publish error saying so, and the
    /// channel whose confirm bookkeeping is now unknown is replaced, so the next publish works.
    /// </summary>
    [Fact]
    public async Task PublishAsync_NoConfirmWithinTheTimeout_FailsAndTheNextPublishUsesAFreshChannel()
    {
        var bus = CreateBus(publishTimeout: TimeSpan.Zero);
        var first = PublishChannel(bus);
        Assert.Null(first);

        var error = await Assert.ThrowsAsync<MessagePublishException>(() => bus.PublishAsync(_queue, new TestMessage(1, "late")));

        Assert.Equal($"No publisher confirm from RabbitMQ within {TimeSpan.Zero} on queue '{_queue}'.", error.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        Assert.Null(PublishChannel(bus)); // dropped; the next publish opens a new one
        // A caller's own cancellation is not a publish error.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bus.PublishAsync(_queue, new TestMessage(2, "cancelled"), cancelled.Token));
    }

    /// <summary>
    /// The shared publishing channel closed under the bus (a channel error, a client-side close):
    /// the publish on it fails as a publish error, and the bus opens a new channel for the next one.
    /// </summary>
    [Fact]
    public async Task PublishAsync_PublishChannelClosed_FailsOnceThenPublishesOnANewChannel()
    {
        var bus = CreateBus();
        await bus.PublishAsync(_queue, new TestMessage(1, "before"));
        var channel = PublishChannel(bus)!;
        await channel.CloseAsync();

        var error = await Assert.ThrowsAsync<MessagePublishException>(() => bus.PublishAsync(_queue, new TestMessage(2, "on a closed channel")));
        Assert.StartsWith($"Publishing to queue '{_queue}' failed: ", error.Message);
        Assert.Null(PublishChannel(bus));

        await bus.PublishAsync(_queue, new TestMessage(3, "after"));
        Assert.NotSame(channel, PublishChannel(bus));
        Assert.Equal(2u, await MessageCountAsync(_queue));
    }

    /// <summary>
    /// Letters put in the dead-letter queue by hand (no x-death header) are dated by their publish
    /// timestamp, or not at all; the filter sees both and keeps what it does not remove.
    /// </summary>
    [Fact]
    public async Task RemoveDeadLetters_LettersWithoutXDeath_AreDatedByTheirTimestamp()
    {
        var bus = CreateBus();
        await bus.PublishAsync(_queue, new TestMessage(0, "declares"));
        var stamped = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await using (var connection = await ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            await channel.BasicPublishAsync(string.Empty, _queue + ".dead", true,
                new BasicProperties { Timestamp = new AmqpTimestamp(stamped.ToUnixTimeSeconds()) }, Encoding.UTF8.GetBytes("""{"id":1,"text":"stamped"}"""));
            await channel.BasicPublishAsync(string.Empty, _queue + ".dead", true,
                new BasicProperties(), Encoding.UTF8.GetBytes("""{"id":2,"text":"undated"}"""));
        }
        var seen = new List<DateTimeOffset?>();

        var removed = await bus.RemoveDeadLettersAsync(_queue, letter =>
        {
            seen.Add(letter.DeadAt);
            return letter.DeadAt is not null;
        });

        Assert.Equal(1, removed);
        Assert.Equal([stamped, null], seen);
        Assert.Equal(new QueueStats(_queue, 1, 1), await bus.GetStatsAsync(_queue));
    }

    /// <summary>
    /// Another process drains the dead-letter queue while the bus walks it: the walk stops at the
    /// empty queue instead of waiting for letters that are gone.
    /// </summary>
    [Fact]
    public async Task RemoveDeadLetters_QueueDrainedMeanwhile_StopsAtTheEmptyQueue()
    {
        var bus = CreateBus();
        await bus.PublishAsync(_queue, new TestMessage(0, "declares"));
        await using var connection = await ConnectAsync();
        await using var other = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        for (var i = 1; i <= 3; i++)
        {
            await other.BasicPublishAsync(string.Empty, _queue + ".dead", true, new BasicProperties(), Encoding.UTF8.GetBytes($$"""{"id":{{i}},"text":"dead"}"""));
        }
        var calls = 0;

        var removed = await bus.RemoveDeadLettersAsync(_queue, _ =>
        {
            if (calls++ == 0)
            {
                // The other two letters are taken (and acked) by someone else before the walk reaches them.
                while (other.BasicGetAsync(_queue + ".dead", autoAck: true).GetAwaiter().GetResult() is not null)
                {
                }
            }
            return true;
        });

        Assert.Equal(1, removed);
        Assert.Equal(1, calls);
        Assert.Equal(new QueueStats(_queue, 1, 0), await bus.GetStatsAsync(_queue));
    }

    /// <summary>An x-death header without a time (written by another tool) does not date the letter: its timestamp does.</summary>
    [Fact]
    public async Task RemoveDeadLetters_XDeathWithoutATime_FallsBackToTheTimestamp()
    {
        var bus = CreateBus();
        await bus.PublishAsync(_queue, new TestMessage(0, "declares"));
        var stamped = new DateTimeOffset(2026, 4, 2, 8, 30, 0, TimeSpan.Zero);
        await using (var connection = await ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            var properties = new BasicProperties
            {
                Timestamp = new AmqpTimestamp(stamped.ToUnixTimeSeconds()),
                Headers = new Dictionary<string, object?> { ["x-death"] = new List<object?> { new Dictionary<string, object?> { ["count"] = 1L, ["reason"] = "rejected" } } },
            };
            await channel.BasicPublishAsync(string.Empty, _queue + ".dead", true, properties, Encoding.UTF8.GetBytes("""{"id":1,"text":"old tool"}"""));
        }
        DateTimeOffset? seen = null;

        var removed = await bus.RemoveDeadLettersAsync(_queue, letter =>
        {
            seen = letter.DeadAt;
            return false;
        });

        Assert.Equal(0, removed);
        Assert.Equal(stamped, seen);
        Assert.Equal(new QueueStats(_queue, 1, 1), await bus.GetStatsAsync(_queue));
    }

    /// <summary>
    /// The broker cancels the consumer (its queue deleted by an operator): the subscription stops
    /// receiving, disposing it still completes, and the bus keeps publishing elsewhere.
    /// </summary>
    [Fact]
    public async Task Subscription_ConsumerCancelledByTheBroker_DisposesQuietly()
    {
        var bus = CreateBus();
        var handled = 0;
        var subscription = await bus.SubscribeAsync<TestMessage>(_queue, (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        });
        await using (var connection = await ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(_queue, ifUnused: false, ifEmpty: false);
        }

        await subscription.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, Volatile.Read(ref handled));
        var other = _queue + ".other";
        try
        {
            await bus.PublishAsync(other, new TestMessage(1, "still publishing"));
            Assert.Equal(1u, await MessageCountAsync(other));
        }
        finally
        {
            await bus.DeleteQueueAsync(other);
        }
    }

    /// <summary>
    /// The connection is gone before the bus is disposed (closed under it, with a subscription and
    /// the publishing channel open): disposing still completes quietly, and a later publish is refused.
    /// </summary>
    [Fact]
    public async Task Dispose_AfterTheConnectionClosed_CompletesQuietly()
    {
        var bus = CreateBus();
        await bus.PublishAsync(_queue, new TestMessage(1, "connects"));
        await using var subscription = await bus.SubscribeAsync<TestMessage>(_queue, (_, _) => Task.CompletedTask);
        var connection = (IConnection)typeof(RabbitMqMessageBus).GetField("_connection", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(bus)!;
        await connection.CloseAsync();
        Assert.False(bus.IsConnected);

        await bus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<MessagePublishException>(() => bus.PublishAsync(_queue, new TestMessage(2, "after dispose")));
        Assert.StartsWith($"Publishing to queue '{_queue}' failed: ", error.Message);
    }

    private static IChannel? PublishChannel(RabbitMqMessageBus bus) =>
        (IChannel?)typeof(RabbitMqMessageBus).GetField("_publishChannel", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(bus);

    private static async Task<uint> MessageCountAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    private static Task<IConnection> ConnectAsync() =>
        new ConnectionFactory { Uri = new Uri(TestEnvironment.RabbitMq) }.CreateConnectionAsync();
}
