using System.Collections.Concurrent;
using System.Text.Json;
using Portal.Infrastructure.Messaging;

namespace Portal.Tests.Infrastructure.Messaging;

public sealed record TestMessage(int Id, string Text);

/// <summary>
/// The delivery rules every <see cref="IMessageBus"/> keeps; each transport runs all of them.
/// Every test uses a queue of its own and deletes it afterwards.
/// </summary>
public abstract class MessageBusContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly List<IMessageBus> _buses = [];

    protected string Queue { get; } = $"portal-test.{Guid.NewGuid():N}";

    protected static MessagingOptions Options(int maxDeliveryAttempts = 3) => new()
    {
        MaxDeliveryAttempts = maxDeliveryAttempts,
        Prefetch = 10,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        PublishTimeout = TimeSpan.FromSeconds(10),
        ShutdownTimeout = TimeSpan.FromMilliseconds(300),
    };

    protected abstract IMessageBus CreateBusCore(MessagingOptions options);

    /// <summary>The JSON bodies in the queue's dead-letter queue.</summary>
    protected abstract Task<IReadOnlyList<string>> ReadDeadLettersAsync(IMessageBus bus, string queue);

    protected abstract Task DeleteQueueAsync(IMessageBus bus, string queue);

    protected IMessageBus CreateBus(MessagingOptions? options = null)
    {
        var bus = CreateBusCore(options ?? Options());
        _buses.Add(bus);
        return bus;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_buses.Count > 0)
        {
            await DeleteQueueAsync(_buses[0], Queue);
        }
        foreach (var bus in _buses)
        {
            await ((IAsyncDisposable)bus).DisposeAsync();
        }
    }

    [Fact]
    public async Task PublishAsync_ThenSubscribe_DeliversMessageAndAcksIt()
    {
        var bus = CreateBus();
        var sent = new TestMessage(42, "hello");

        await bus.PublishAsync(Queue, sent);
        Assert.Equal(new QueueStats(Queue, 1, 0), await bus.GetStatsAsync(Queue));

        var received = new TaskCompletionSource<TestMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await bus.SubscribeAsync<TestMessage>(Queue, (m, _) =>
        {
            received.TrySetResult(m);
            return Task.CompletedTask;
        }))
        {
            Assert.Equal(sent, await received.Task.WaitAsync(Patience));
            await WaitForStatsAsync(bus, s => s is { Ready: 0, DeadLettered: 0 });
        }

        // Acked, not merely in flight: after the consumer is gone nothing comes back.
        Assert.Equal(new QueueStats(Queue, 0, 0), await bus.GetStatsAsync(Queue));
    }

    [Fact]
    public async Task Handler_AlwaysFails_MessageIsDeadLetteredAfterMaxDeliveryAttempts()
    {
        var bus = CreateBus(Options(maxDeliveryAttempts: 3));
        var attempts = 0;
        await bus.PublishAsync(Queue, new TestMessage(7, "poison"));

        await using (await bus.SubscribeAsync<TestMessage>(Queue, (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("handler keeps failing");
        }))
        {
            await WaitForStatsAsync(bus, s => s.DeadLettered == 1);
            await Task.Delay(300); // a further delivery would show up here
        }

        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal(new QueueStats(Queue, 0, 1), await bus.GetStatsAsync(Queue));
        var deadLetter = Assert.Single(await ReadDeadLettersAsync(bus, Queue));
        Assert.Equal(new TestMessage(7, "poison"), JsonSerializer.Deserialize<TestMessage>(deadLetter, JsonSerializerOptions.Web));
    }

    [Fact]
    public async Task Handler_FailsOnceThenSucceeds_MessageIsRedeliveredAndAcked()
    {
        var bus = CreateBus();
        var attempts = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await bus.PublishAsync(Queue, new TestMessage(1, "flaky"));

        await using (await bus.SubscribeAsync<TestMessage>(Queue, (_, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new TimeoutException("transient");
            }
            done.TrySetResult();
            return Task.CompletedTask;
        }))
        {
            await done.Task.WaitAsync(Patience);
            await WaitForStatsAsync(bus, s => s is { Ready: 0, DeadLettered: 0 });
        }

        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Equal(new QueueStats(Queue, 0, 0), await bus.GetStatsAsync(Queue));
    }

    [Fact]
    public async Task Subscription_DisposedWhileHandlerRuns_MessageGoesToNextConsumer()
    {
        var bus = CreateBus();
        var sent = new TestMessage(3, "slow");
        await bus.PublishAsync(Queue, sent);

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await bus.SubscribeAsync<TestMessage>(Queue, async (_, _) =>
        {
            started.TrySetResult();
            await release.Task; // ignores the token: a handler that is simply not done yet
        });
        try
        {
            await started.Task.WaitAsync(Patience);
            Assert.Equal(0, (await bus.GetStatsAsync(Queue)).Ready); // delivered, unacked

            await first.DisposeAsync(); // gives up after ShutdownTimeout

            var second = new TaskCompletionSource<TestMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (await bus.SubscribeAsync<TestMessage>(Queue, (m, _) =>
            {
                second.TrySetResult(m);
                return Task.CompletedTask;
            }))
            {
                Assert.Equal(sent, await second.Task.WaitAsync(Patience));
                await WaitForStatsAsync(bus, s => s is { Ready: 0, DeadLettered: 0 });
            }
        }
        finally
        {
            release.TrySetResult(); // the first handler finishes late; its ack must change nothing
        }

        await Task.Delay(100);
        Assert.Equal(new QueueStats(Queue, 0, 0), await bus.GetStatsAsync(Queue));
    }

    [Fact]
    public async Task Subscription_Disposed_CancelsHandlerTokenAndRequeuesMessage()
    {
        var bus = CreateBus();
        await bus.PublishAsync(Queue, new TestMessage(4, "cancel me"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;

        var subscription = await bus.SubscribeAsync<TestMessage>(Queue, async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }
        });
        await started.Task.WaitAsync(Patience);
        await subscription.DisposeAsync();

        Assert.True(cancelled, "the handler's token was not cancelled on dispose");
        await WaitForStatsAsync(bus, s => s is { Ready: 1, DeadLettered: 0 });
    }

    [Fact]
    public async Task Subscription_Prefetch_BoundsMessagesInFlight()
    {
        var bus = CreateBus();
        for (var i = 0; i < 6; i++)
        {
            await bus.PublishAsync(Queue, new TestMessage(i, "batch"));
        }
        var running = 0;
        var maxRunning = 0;
        var twoStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = 0;

        await using (await bus.SubscribeAsync<TestMessage>(Queue, async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            if (now == 2)
            {
                twoStarted.TrySetResult();
            }
            await release.Task;
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref handled);
        }, new SubscriptionOptions { Prefetch = 2, Concurrency = 2 }))
        {
            await twoStarted.Task.WaitAsync(Patience);
            await Task.Delay(200); // time for a third delivery, were prefetch not honoured
            Assert.Equal(2, Volatile.Read(ref maxRunning));
            Assert.Equal(4, (await bus.GetStatsAsync(Queue)).Ready);

            release.TrySetResult();
            await WaitForStatsAsync(bus, s => s.Ready == 0 && Volatile.Read(ref handled) == 6);
        }

        Assert.Equal(2, Volatile.Read(ref maxRunning));
    }

    [Fact]
    public async Task PublishAsync_ManyConcurrentPublishers_AllConfirmedAndCounted()
    {
        var bus = CreateBus();

        await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => bus.PublishAsync(Queue, new TestMessage(i, "concurrent")))));

        Assert.Equal(200, (await bus.GetStatsAsync(Queue)).Ready);
        var seen = new ConcurrentDictionary<int, byte>();
        await using (await bus.SubscribeAsync<TestMessage>(Queue, (m, _) =>
        {
            seen.TryAdd(m.Id, 0);
            return Task.CompletedTask;
        }, new SubscriptionOptions { Prefetch = 50, Concurrency = 4 }))
        {
            await WaitForStatsAsync(bus, s => s.Ready == 0 && seen.Count == 200);
        }
        Assert.Equal(Enumerable.Range(0, 200), seen.Keys.Order());
    }

    [Fact]
    public async Task Subscribe_BodyOfAnotherType_DeadLetteredWithoutCallingHandler()
    {
        var bus = CreateBus(Options(maxDeliveryAttempts: 5));
        await bus.PublishAsync(Queue, "just a string");
        var calls = 0;

        await using (await bus.SubscribeAsync<TestMessage>(Queue, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }))
        {
            await WaitForStatsAsync(bus, s => s.DeadLettered == 1);
        }

        Assert.Equal(0, calls);
        Assert.Equal("\"just a string\"", Assert.Single(await ReadDeadLettersAsync(bus, Queue)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("amq.reserved")]
    [InlineData("orders.dead")]
    public async Task PublishAsync_InvalidQueueName_Throws(string queue)
    {
        var bus = CreateBus();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => bus.PublishAsync(queue, new TestMessage(1, "x")));
    }

    [Fact]
    public async Task Handler_DatabaseDownLongerThanAllAttempts_BacksOffAndIsNotDeadLettered()
    {
        // Issue 13: five deliveries 10 ms apart used to dead-letter a receipt batch or a STOP during a
        // PostgreSQL restart of a second. An infrastructure failure is retried in place, with back-off.
        var options = Options(maxDeliveryAttempts: 3);
        var bus = CreateBus(options);
        await bus.PublishAsync(Queue, new TestMessage(1, "receipts"));
        var downUntil = DateTime.UtcNow.AddSeconds(2);
        var calls = 0;
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await bus.SubscribeAsync<TestMessage>(Queue, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            if (DateTime.UtcNow < downUntil) throw new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:5432");
            handled.TrySetResult();
            return Task.CompletedTask;
        }))
        {
            await handled.Task.WaitAsync(Patience);
            await WaitForStatsAsync(bus, s => s is { Ready: 0, DeadLettered: 0 });
        }
        // Backed off (10 ms doubling), not hammered: far fewer calls than 2 s / 10 ms.
        Assert.InRange(calls, 4, 12);
    }

    [Fact]
    public async Task DeadLetters_Replayed_AreHandledAgainAndLeaveTheDeadLetterQueue()
    {
        var bus = CreateBus(Options(maxDeliveryAttempts: 2));
        await bus.PublishAsync(Queue, new TestMessage(7, "STOP"));
        var broken = true;
        var handled = new TaskCompletionSource<TestMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await bus.SubscribeAsync<TestMessage>(Queue, (m, _) =>
        {
            if (Volatile.Read(ref broken)) throw new InvalidOperationException("a bug, fixed later");
            handled.TrySetResult(m);
            return Task.CompletedTask;
        }))
        {
            await WaitForStatsAsync(bus, s => s.DeadLettered == 1);
            Volatile.Write(ref broken, false);

            Assert.Equal(1, await bus.ReplayDeadLettersAsync(Queue));

            Assert.Equal(new TestMessage(7, "STOP"), await handled.Task.WaitAsync(Patience));
            await WaitForStatsAsync(bus, s => s is { Ready: 0, DeadLettered: 0 });
        }
    }

    protected async Task<QueueStats> WaitForStatsAsync(IMessageBus bus, Func<QueueStats, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        var stats = await bus.GetStatsAsync(Queue);
        while (!condition(stats))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Queue never reached the expected state; last seen {stats}.");
            }
            await Task.Delay(25);
            stats = await bus.GetStatsAsync(Queue);
        }
        return stats;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
