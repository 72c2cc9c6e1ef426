using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Tests.Infrastructure.Inbound;

/// <summary>An opt-out must not be dropped: a failed publish of a reply is retried until the bus takes it, and only then acknowledged.</summary>
public class MoForwarderRetryTests
{
    /// <summary>The in-process bus, refusing the first publishes as a restarting broker would.</summary>
    private sealed class FlakyBus(IMessageBus inner, int failures) : IMessageBus
    {
        public int Attempts;

        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) =>
            Interlocked.Increment(ref Attempts) <= failures ? throw new IOException("broker restarting") : inner.PublishAsync(queue, message, ct);

        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            inner.SubscribeAsync(queue, handler, options, ct);

        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => inner.GetStatsAsync(queue, ct);
    }

    [Fact]
    public async Task Publish_FailsOnce_RetriedThenPublishedOnceAndAcknowledged()
    {
        var sending = new SendingOptions();
        await using var inner = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var bus = new FlakyBus(inner, failures: 1);
        var forwarder = new MoForwarder(bus, Options.Create(sending), Options.Create(new InboundOptions()), TimeProvider.System, NullLogger<MoForwarder>.Instance);
        var durable = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mo = new MoMessageReceived("sim", new SmeAddress(1, 1, "79161234567"), new SmeAddress(0, 0, "1234"), "STOP", 0, null) { Durable = durable };

        await forwarder.AcceptAsync(3, mo).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, bus.Attempts);
        Assert.Equal(1, forwarder.Forwarded);
        Assert.True(await durable.Task.WaitAsync(TimeSpan.FromSeconds(1)));
        var stats = await inner.GetStatsAsync(sending.InboundQueue);
        Assert.Equal(1, stats.Ready);
    }
}
