using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Infrastructure.Messaging;

namespace Portal.Tests.Infrastructure.Messaging;

/// <summary>Issue 21 (coverage): the in-process bus's subscription limits and its stop during a retry pause.</summary>
public sealed class InProcessSubscriptionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(0, 1, "Prefetch must be between 1 and 65535.")]
    [InlineData(70_000, 1, "Prefetch must be between 1 and 65535.")]
    [InlineData(4, 0, "Concurrency must be between 1 and the prefetch (4).")]
    [InlineData(4, 5, "Concurrency must be between 1 and the prefetch (4).")]
    public async Task Subscribe_LimitsOutOfRange_AreRefusedBeforeAnythingIsConsumed(int prefetch, int concurrency, string message)
    {
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        await bus.PublishAsync("portal-test.limits", new TestMessage(1, "waits"));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => bus.SubscribeAsync<TestMessage>(
            "portal-test.limits", (_, _) => Task.CompletedTask, new SubscriptionOptions { Prefetch = prefetch, Concurrency = concurrency }));

        Assert.StartsWith(message, error.Message);
        Assert.Equal(new QueueStats("portal-test.limits", 1, 0), await bus.GetStatsAsync("portal-test.limits"));
    }

    /// <summary>
    /// A handler failed and the subscription waits out a long retry pause: stopping ends the pause at
    /// once, the message goes back to the queue (not dead-lettered), and a second stop is a no-op.
    /// </summary>
    [Fact]
    public async Task Dispose_DuringTheRetryPause_EndsThePauseAndReturnsTheMessage()
    {
        var options = new MessagingOptions { MaxDeliveryAttempts = 5, RetryDelay = TimeSpan.FromMinutes(10), ShutdownTimeout = TimeSpan.FromSeconds(30) };
        var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new Portal.Tests.Infrastructure.Sending.CapturingLoggerProvider(logs)));
        await using var bus = new InProcessMessageBus(options, loggers.CreateLogger<InProcessMessageBus>());
        var subscription = await bus.SubscribeAsync<TestMessage>("portal-test.pause", (_, _) => throw new InvalidOperationException("handler bug"));
        await bus.PublishAsync("portal-test.pause", new TestMessage(1, "retried later"));
        // Logged right before the pause starts.
        var deadline = DateTime.UtcNow + Patience;
        while (!logs.Any(l => l.Contains("Handler failed on queue portal-test.pause")))
        {
            Assert.True(DateTime.UtcNow < deadline, "the handler's failure was not logged");
            await Task.Delay(10);
        }

        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await subscription.DisposeAsync().AsTask().WaitAsync(Patience);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stopped.Elapsed}");
        await subscription.DisposeAsync();

        Assert.Equal(new QueueStats("portal-test.pause", 1, 0), await bus.GetStatsAsync("portal-test.pause"));
    }
}
