using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Portal.Infrastructure.Messaging;

/// <summary>
/// The embedded default: one unbounded <see cref="Channel{T}"/> per queue, the same delivery rules
/// as RabbitMQ (ack after the handler, retries, dead letters, bounded concurrency), nothing durable.
/// Messages are stored as JSON so that serialization behaves exactly as on the broker.
/// </summary>
internal sealed class InProcessMessageBus(MessagingOptions options, ILogger<InProcessMessageBus> logger)
    : IMessageBus, IDeadLetterStore, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, InProcessQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<InProcessSubscription, byte> _subscriptions = new();

    public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        ct.ThrowIfCancellationRequested();
        using var span = Telemetry.PortalTelemetry.StartPublish(queue);
        GetQueue(queue).Enqueue(new InProcessEnvelope(MessageJson.Serialize(message)) { TraceParent = span?.Id });
        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync<T>(
        string queue,
        Func<T, CancellationToken, Task> handler,
        SubscriptionOptions? subscriptionOptions = null,
        CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        ArgumentNullException.ThrowIfNull(handler);
        ct.ThrowIfCancellationRequested();
        var concurrency = SubscriptionLimits.Concurrency(subscriptionOptions, options);
        var subscription = new InProcessSubscription(
            GetQueue(queue),
            body =>
            {
                var message = MessageJson.Deserialize<T>(body);
                return token => handler(message, token);
            },
            typeof(T).Name,
            concurrency,
            options,
            logger,
            s => _subscriptions.TryRemove(s, out _));
        _subscriptions.TryAdd(subscription, 0);
        logger.Subscribed(queue, concurrency, concurrency);
        return Task.FromResult<IAsyncDisposable>(subscription);
    }

    public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        var q = GetQueue(queue);
        return Task.FromResult(new QueueStats(queue, q.ReadyCount, q.DeadLetterCount));
    }

    public Task<int> ReplayDeadLettersAsync(string queue, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        var q = GetQueue(queue);
        var count = 0;
        while (q.DeadLetters.TryDequeue(out var envelope))
        {
            // A fresh message: its attempts start again.
            q.Enqueue(new InProcessEnvelope(envelope.Body));
            count++;
        }
        return Task.FromResult(count);
    }

    /// <summary>Bodies of the queue's dead letters, oldest first (tests, a future dashboard).</summary>
    internal IReadOnlyList<byte[]> GetDeadLetters(string queue) => GetQueue(queue).DeadLetters.Select(e => e.Body).ToList();

    public Task<int> RemoveDeadLettersAsync(string queue, Func<DeadLetter, bool> remove, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        ArgumentNullException.ThrowIfNull(remove);
        var dead = GetQueue(queue).DeadLetters;
        // One pass over what is there now: each is taken out and put back unless removed, so a
        // letter dead-lettered meanwhile is kept (it lands behind the ones put back).
        var removed = 0;
        for (var n = dead.Count; n > 0 && dead.TryDequeue(out var envelope); n--)
        {
            ct.ThrowIfCancellationRequested();
            if (remove(new DeadLetter(envelope.Body, envelope.DeadAt)))
            {
                removed++;
            }
            else
            {
                dead.Enqueue(envelope);
            }
        }
        return Task.FromResult(removed);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Keys)
        {
            await subscription.DisposeAsync();
        }
    }

    private InProcessQueue GetQueue(string queue) => _queues.GetOrAdd(queue, name => new InProcessQueue(name));
}

internal static class SubscriptionLimits
{
    public static int Prefetch(SubscriptionOptions? subscription, MessagingOptions options)
    {
        var prefetch = subscription?.Prefetch ?? options.Prefetch;
        if (prefetch is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(subscription), prefetch, $"Prefetch must be between 1 and {ushort.MaxValue}.");
        }
        return prefetch;
    }

    public static int Concurrency(SubscriptionOptions? subscription, MessagingOptions options)
    {
        var concurrency = subscription?.Concurrency ?? 1;
        var prefetch = Prefetch(subscription, options);
        if (concurrency < 1 || concurrency > prefetch)
        {
            throw new ArgumentOutOfRangeException(nameof(subscription), concurrency, $"Concurrency must be between 1 and the prefetch ({prefetch}).");
        }
        return concurrency;
    }
}

internal sealed class InProcessEnvelope(byte[] body)
{
    private static long _lastTag;

    public byte[] Body { get; } = body;

    /// <summary>Deliveries so far, like a quorum queue's delivery count plus the current one.</summary>
    public int Attempts { get; set; }

    public ulong Tag { get; } = (ulong)Interlocked.Increment(ref _lastTag);

    /// <summary>The publisher's W3C trace context (issue 22), as RabbitMQ carries it in a header.</summary>
    public string? TraceParent { get; init; }

    /// <summary>When it was published: the age retention judges a dead letter by.</summary>
    public DateTimeOffset DeadAt { get; init; } = DateTimeOffset.UtcNow;
}

internal sealed class InProcessQueue(string name)
{
    private readonly Channel<InProcessEnvelope> _ready = Channel.CreateUnbounded<InProcessEnvelope>();

    public string Name { get; } = name;

    public ConcurrentQueue<InProcessEnvelope> DeadLetters { get; } = new();

    public long ReadyCount => _ready.Reader.Count;

    public long DeadLetterCount => DeadLetters.Count;

    public ChannelReader<InProcessEnvelope> Reader => _ready.Reader;

    // Unbounded and never completed: TryWrite cannot fail.
    public void Enqueue(InProcessEnvelope envelope) => _ready.Writer.TryWrite(envelope);
}

internal sealed class InProcessSubscription : IAsyncDisposable
{
    private readonly InProcessQueue _queue;
    private readonly Func<byte[], Func<CancellationToken, Task>> _bind;
    private readonly string _messageType;
    private readonly MessagingOptions _options;
    private readonly ILogger _logger;
    private readonly Action<InProcessSubscription> _onDisposed;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<InProcessDelivery, byte> _inFlight = new();
    private readonly Task _loop;
    private int _disposed;

    public InProcessSubscription(
        InProcessQueue queue,
        Func<byte[], Func<CancellationToken, Task>> bind,
        string messageType,
        int concurrency,
        MessagingOptions options,
        ILogger logger,
        Action<InProcessSubscription> onDisposed)
    {
        _queue = queue;
        _bind = bind;
        _messageType = messageType;
        _options = options;
        _logger = logger;
        _onDisposed = onDisposed;
        _slots = new SemaphoreSlim(concurrency, concurrency);
        _loop = Task.Run(ReceiveLoopAsync);
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (true)
            {
                await _slots.WaitAsync(token);
                InProcessEnvelope envelope;
                try
                {
                    envelope = await _queue.Reader.ReadAsync(token);
                }
                catch
                {
                    _slots.Release();
                    throw;
                }
                var delivery = new InProcessDelivery(envelope);
                _inFlight.TryAdd(delivery, 0);
                _ = Task.Run(() => HandleAsync(delivery), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(InProcessDelivery delivery)
    {
        var envelope = delivery.Envelope;
        envelope.Attempts++;
        using var span = Telemetry.PortalTelemetry.StartProcess(_queue.Name, envelope.TraceParent, null);
        Func<CancellationToken, Task> handle;
        try
        {
            handle = _bind(envelope.Body);
        }
        catch (JsonException e)
        {
            if (delivery.TrySettle())
            {
                _logger.Undeserializable(e, _queue.Name, envelope.Tag, _messageType);
                _queue.DeadLetters.Enqueue(envelope);
            }
            _inFlight.TryRemove(delivery, out _);
            _slots.Release();
            return;
        }
        try
        {
            await HandlerRetry.RunAsync(handle, _options, _logger, _queue.Name, _stopping.Token);
            delivery.TrySettle(); // the ack: nothing to do unless disposal already returned it
        }
        catch (Exception e)
        {
            _logger.HandlerFailed(e, _queue.Name, envelope.Tag, envelope.Attempts, _options.MaxDeliveryAttempts);
            await RetryPauseAsync(envelope.Attempts);
            if (delivery.TrySettle())
            {
                Return(envelope);
            }
        }
        finally
        {
            _inFlight.TryRemove(delivery, out _);
            _slots.Release();
        }
    }

    private async Task RetryPauseAsync(int attempt)
    {
        if (_options.RetryDelay > TimeSpan.Zero && !_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HandlerRetry.Backoff(_options.RetryDelay, attempt), _stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    // Like a quorum queue: a returned message that has used up its attempts is dead-lettered.
    private void Return(InProcessEnvelope envelope)
    {
        if (envelope.Attempts >= _options.MaxDeliveryAttempts)
        {
            _logger.DeadLettered(_queue.Name, envelope.Tag, envelope.Attempts);
            _queue.DeadLetters.Enqueue(envelope);
        }
        else
        {
            _queue.Enqueue(envelope);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _stopping.Cancel();
        await _loop;
        var deadline = DateTime.UtcNow + _options.ShutdownTimeout;
        while (!_inFlight.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        if (!_inFlight.IsEmpty)
        {
            _logger.ShutdownTimedOut(_queue.Name, _options.ShutdownTimeout);
        }
        // A handler still running has not acknowledged: its message goes back, as when a
        // RabbitMQ channel closes with unacknowledged deliveries. Its late completion is ignored.
        var unfinished = 0;
        foreach (var delivery in _inFlight.Keys)
        {
            if (delivery.TrySettle())
            {
                Return(delivery.Envelope);
                unfinished++;
            }
        }
        _logger.Unsubscribed(_queue.Name, unfinished);
        _onDisposed(this);
    }

    private sealed class InProcessDelivery(InProcessEnvelope envelope)
    {
        private int _settled;

        public InProcessEnvelope Envelope { get; } = envelope;

        /// <summary>True for the first caller only: a handler's late ack and a shutdown's return never both happen.</summary>
        public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
    }
}
