using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>Issue 19: accepted API messages' ids reach the priority lane coalesced, each caller waiting for its batch's confirm.</summary>
public sealed class PriorityPublisherTests
{
    [Fact]
    public async Task ConcurrentRequests_WhileAPublishAwaitsItsConfirm_GoOutTogetherAsTheNextBatch()
    {
        var bus = new GatedBus();
        var publisher = new PriorityPublisher(bus, Options.Create(new SendingOptions { PriorityQueue = "prio" }));

        var first = publisher.PublishAsync([1], default);
        await bus.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var later = Enumerable.Range(2, 30).Select(i => publisher.PublishAsync([i], default)).ToList();
        await Task.Delay(100);
        Assert.False(first.IsCompleted, "a caller returns only after its batch is confirmed");
        Assert.All(later, t => Assert.False(t.IsCompleted));

        bus.Confirm.SetResult();
        await Task.WhenAll(later.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, bus.Batches.Count);
        Assert.Equal([1L], bus.Batches[0].MessageIds);
        Assert.Equal(Enumerable.Range(2, 30).Select(i => (long)i), bus.Batches[1].MessageIds);
        Assert.Equal(["prio", "prio"], bus.Queues);
    }

    [Fact]
    public async Task BatchesNeverPassAThousandIds_AndAFailedPublishReachesItsCallers()
    {
        var bus = new GatedBus { Fail = true };
        var publisher = new PriorityPublisher(bus, Options.Create(new SendingOptions()));

        var first = publisher.PublishAsync([0], default);
        await bus.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var big = publisher.PublishAsync(Enumerable.Range(1, 600).Select(i => (long)i).ToList(), default);
        var other = publisher.PublishAsync(Enumerable.Range(601, 600).Select(i => (long)i).ToList(), default);
        bus.Confirm.SetResult();

        await Assert.ThrowsAsync<MessagePublishException>(() => first);
        await Assert.ThrowsAsync<MessagePublishException>(() => big);
        await Assert.ThrowsAsync<MessagePublishException>(() => other);
        // 600 + 600 would pass the limit: each request went as a bus message of its own.
        Assert.Equal([1, 600, 600], bus.Batches.Select(b => b.MessageIds.Count));
    }

    /// <summary>Holds the first publish until <see cref="Confirm"/> is set, like a broker slow to confirm.</summary>
    private sealed class GatedBus : IMessageBus
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Started => _started.Task;
        public TaskCompletionSource Confirm { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<PriorityBatch> Batches { get; } = [];
        public List<string> Queues { get; } = [];
        public bool Fail { get; init; }

        public async Task PublishAsync<T>(string queue, T message, CancellationToken ct = default)
        {
            lock (Batches)
            {
                Batches.Add(message as PriorityBatch ?? throw new InvalidOperationException("Only priority batches expected."));
                Queues.Add(queue);
            }
            _started.TrySetResult();
            await Confirm.Task;
            if (Fail) throw new MessagePublishException("nack", null);
        }

        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();
    }
}
