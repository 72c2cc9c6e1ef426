using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Portal.Infrastructure.Messaging;

/// <summary>
/// RabbitMQ transport (docs/decisions/0002-message-bus.md): one auto-recovering connection,
/// one long-lived publishing channel with tracked publisher confirms shared by all publishers,
/// one channel per subscription, quorum queues with a delivery limit and a dead-letter queue.
/// </summary>
internal sealed class RabbitMqMessageBus : IMessageBus, IDeadLetterStore, IAsyncDisposable
{
    private readonly MessagingOptions _options;
    private readonly ILogger<RabbitMqMessageBus> _logger;
    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _publishChannelLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Task> _declaredQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RabbitMqSubscription, byte> _subscriptions = new();
    private IConnection? _connection;
    private IChannel? _publishChannel;
    private bool _disposed;

    public RabbitMqMessageBus(MessagingOptions options, ILogger<RabbitMqMessageBus> logger)
    {
        _options = options;
        _logger = logger;
        var uri = new Uri(options.RabbitMq.Uri ?? throw new InvalidOperationException("Messaging:RabbitMq:Uri is not set."));
        Endpoint = $"{uri.Host}:{(uri.IsDefaultPort ? AmqpTcpEndpoint.UseDefaultPort : uri.Port)}";
        _factory = new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = options.RabbitMq.ClientName,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>host:port, without credentials, for logs and health reports.</summary>
    public string Endpoint { get; }

    /// <summary>Open, or closed while automatic recovery reconnects.</summary>
    public bool IsConnected => _connection?.IsOpen == true;

    /// <summary>Publishes of one message a broker nack allows before the caller gets the error.</summary>
    internal const int NackAttempts = 3;

    private static readonly TimeSpan NackBackoff = TimeSpan.FromMilliseconds(100);

    public async Task PublishAsync<T>(string queue, T message, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        var body = MessageJson.Serialize(message);
        IChannel channel;
        try
        {
            await EnsureQueueAsync(queue, ct);
            channel = await GetPublishChannelAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Issue 13 (found by the chaos stage): while the connection recovers from a broker
            // restart, opening a channel throws the client's AlreadyClosedException. Callers retry
            // MessagePublishException; this one escaped and ended the node's receipt forwarder, so
            // no receipt of that node was applied again. Every publish failure is this type.
            _logger.PublishFailed(e, queue);
            throw new MessagePublishException($"Publishing to queue '{queue}' failed: {e.Message}", e);
        }
        using var span = Telemetry.PortalTelemetry.StartPublish(queue);
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            MessageId = Guid.NewGuid().ToString("N"),
            Type = typeof(T).Name,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            Headers = Telemetry.PortalTelemetry.Headers(span),
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    // IChannel is safe for concurrent publishes in 7.x (rabbitmq-dotnet-client#1722): the
                    // client serialises sequence numbers and frames and awaits each confirm separately.
                    // mandatory: an unroutable message comes back as a return instead of vanishing.
                    await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, timeout.Token);
                    break;
                }
                catch (PublishException e) when (!e.IsReturn && attempt < NackAttempts)
                {
                    // A nack: the quorum queue could not take the message now (its log writer behind,
                    // a leader change), and the message may not be in it. Publishing again is safe: every
                    // consumer is idempotent. Seen in CI at load 22-30: 1 nack in 200 concurrent publishes.
                    _logger.PublishNacked(queue, attempt, NackAttempts);
                    await Task.Delay(NackBackoff * attempt, timeout.Token);
                }
            }
        }
        catch (PublishException e)
        {
            _logger.PublishFailed(e, queue);
            throw new MessagePublishException(
                e.IsReturn
                    ? $"RabbitMQ returned the message: queue '{queue}' does not exist."
                    : $"RabbitMQ did not confirm the message on queue '{queue}' (nack).",
                e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            _logger.PublishFailed(e, queue);
            await ReplacePublishChannelAsync(channel);
            throw new MessagePublishException(
                $"No publisher confirm from RabbitMQ within {_options.PublishTimeout} on queue '{queue}'.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Confirm bookkeeping of a channel that failed mid-publish is not trusted again
            // (rabbitmq-dotnet-client#1900, #1924): later publishes get a fresh channel.
            _logger.PublishFailed(e, queue);
            await ReplacePublishChannelAsync(channel);
            throw new MessagePublishException($"Publishing to queue '{queue}' failed: {e.Message}", e);
        }
    }

    public async Task<IAsyncDisposable> SubscribeAsync<T>(
        string queue,
        Func<T, CancellationToken, Task> handler,
        SubscriptionOptions? options = null,
        CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        ArgumentNullException.ThrowIfNull(handler);
        var prefetch = SubscriptionLimits.Prefetch(options, _options);
        var concurrency = SubscriptionLimits.Concurrency(options, _options);
        await EnsureQueueAsync(queue, ct);
        var connection = await GetConnectionAsync(ct);
        var subscription = await RabbitMqSubscription.StartAsync(
            connection,
            queue,
            body =>
            {
                var message = MessageJson.Deserialize<T>(body);
                return token => handler(message, token);
            },
            typeof(T).Name,
            (ushort)prefetch,
            (ushort)concurrency,
            _options,
            _logger,
            s => _subscriptions.TryRemove(s, out _),
            ct);
        _subscriptions.TryAdd(subscription, 0);
        _logger.Subscribed(queue, prefetch, concurrency);
        return subscription;
    }

    public async Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        await EnsureQueueAsync(queue, ct);
        var connection = await GetConnectionAsync(ct);
        // A passive declare of a missing queue closes the channel, so stats get a channel of their own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var ready = await channel.QueueDeclarePassiveAsync(queue, ct);
        var dead = await channel.QueueDeclarePassiveAsync(QueueName.DeadLetter(queue), ct);
        await channel.CloseAsync(ct);
        return new QueueStats(queue, ready.MessageCount, dead.MessageCount);
    }

    public async Task<int> RemoveDeadLettersAsync(string queue, Func<DeadLetter, bool> remove, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        ArgumentNullException.ThrowIfNull(remove);
        await EnsureQueueAsync(queue, ct);
        var connection = await GetConnectionAsync(ct);
        var deadQueue = QueueName.DeadLetter(queue);
        // A channel of its own with confirms: a kept letter is published again to the tail of the
        // dead-letter queue and its original acknowledged only once the copy is confirmed, so a
        // crash midway leaves a duplicate dead letter, never a lost one. Letters taken with
        // basic.get and not acknowledged go back to the queue when the channel closes.
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var start = await channel.QueueDeclarePassiveAsync(deadQueue, ct);
        var removed = 0;
        for (var n = start.MessageCount; n > 0; n--)
        {
            ct.ThrowIfCancellationRequested();
            var got = await channel.BasicGetAsync(deadQueue, autoAck: false, ct);
            if (got is null)
            {
                break;
            }
            if (remove(new DeadLetter(got.Body, DeadAt(got.BasicProperties))))
            {
                removed++;
            }
            else
            {
                await channel.BasicPublishAsync(string.Empty, deadQueue, mandatory: true, new BasicProperties(got.BasicProperties), got.Body, ct);
            }
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
        }
        await channel.CloseAsync(ct);
        return removed;
    }

    /// <summary>The latest x-death time (when the broker dead-lettered it), else the publish timestamp.</summary>
    private static DateTimeOffset? DeadAt(IReadOnlyBasicProperties properties)
    {
        if (properties.Headers?.TryGetValue("x-death", out var deaths) == true && deaths is IEnumerable<object?> list)
        {
            var times = list.OfType<IDictionary<string, object?>>()
                .Select(d => d.TryGetValue("time", out var t) && t is AmqpTimestamp ts ? DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime) : (DateTimeOffset?)null)
                .Where(t => t is not null).ToList();
            if (times.Count > 0)
            {
                return times.Max();
            }
        }
        return properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null;
    }

    public async Task<int> ReplayDeadLettersAsync(string queue, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        await EnsureQueueAsync(queue, ct);
        var connection = await GetConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var count = 0;
        while (await channel.BasicGetAsync(QueueName.DeadLetter(queue), autoAck: false, ct) is { } got)
        {
            var properties = new BasicProperties
            {
                Persistent = true,
                ContentType = got.BasicProperties.ContentType ?? "application/json",
                MessageId = Guid.NewGuid().ToString("N"),
                Type = got.BasicProperties.Type,
                Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            };
            // Confirmed before the dead letter is acked: a failure in between leaves a copy in both, never in neither.
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, got.Body, ct);
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
            count++;
        }
        await channel.CloseAsync(ct);
        return count;
    }

    /// <summary>Connects if needed; false when the broker cannot be reached or the connection is recovering.</summary>
    public async Task<bool> CheckConnectionAsync(CancellationToken ct)
    {
        try
        {
            var connection = await GetConnectionAsync(ct);
            return connection.IsOpen;
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes a queue and its dead-letter queue with everything in them. For tests and
    /// administration only; never called by the delivery path.
    /// </summary>
    internal async Task DeleteQueueAsync(string queue, CancellationToken ct = default)
    {
        var connection = await GetConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: ct);
        await channel.QueueDeleteAsync(QueueName.DeadLetter(queue), ifUnused: false, ifEmpty: false, cancellationToken: ct);
        await channel.CloseAsync(ct);
        _declaredQueues.TryRemove(queue, out _);
    }

    private Task EnsureQueueAsync(string queue, CancellationToken ct)
    {
        var declared = _declaredQueues.GetOrAdd(queue, q => DeclareQueueAsync(q));
        if (declared.IsFaulted || declared.IsCanceled)
        {
            // Do not cache a failure: the next caller tries again.
            _declaredQueues.TryRemove(new KeyValuePair<string, Task>(queue, declared));
        }
        return declared.WaitAsync(ct);
    }

    private async Task DeclareQueueAsync(string queue)
    {
        try
        {
            var connection = await GetConnectionAsync(CancellationToken.None);
            // Declaration gets its own short-lived channel: a declare that disagrees with an
            // existing queue's arguments (406 PRECONDITION_FAILED) closes the channel it ran on.
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclareAsync(
                QueueName.DeadLetter(queue), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            await channel.QueueDeclareAsync(
                queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-queue-type"] = "quorum",
                    // A quorum queue dead-letters a message returned more than x-delivery-limit
                    // times, so the limit is the number of redeliveries.
                    ["x-delivery-limit"] = _options.MaxDeliveryAttempts - 1,
                    ["x-dead-letter-exchange"] = string.Empty,
                    ["x-dead-letter-routing-key"] = QueueName.DeadLetter(queue),
                    // At-least-once dead-lettering (RabbitMQ 3.10+) keeps a message in this queue
                    // until the dead-letter queue confirms it; it requires reject-publish overflow.
                    ["x-dead-letter-strategy"] = "at-least-once",
                    ["x-overflow"] = "reject-publish",
                });
            await channel.CloseAsync();
            _logger.QueueDeclared(queue);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
        {
            _declaredQueues.TryRemove(queue, out _);
            throw new InvalidOperationException(
                $"Queue '{queue}' exists with other arguments than this version declares (for example another " +
                $"MaxDeliveryAttempts): {e.ShutdownReason.ReplyText}. Delete or migrate the queue, or change it with a policy.", e);
        }
        catch
        {
            _declaredQueues.TryRemove(queue, out _);
            throw;
        }
    }

    private async Task<IConnection> GetConnectionAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_connection is { } existing)
        {
            return existing;
        }
        await _connectLock.WaitAsync(ct);
        try
        {
            if (_connection is null)
            {
                // Automatic recovery keeps this one connection for the life of the bus.
                _connection = await _factory.CreateConnectionAsync(ct);
                _logger.Connected(Endpoint, _options.RabbitMq.ClientName);
            }
            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<IChannel> GetPublishChannelAsync(CancellationToken ct)
    {
        if (_publishChannel is { } channel)
        {
            return channel;
        }
        var connection = await GetConnectionAsync(ct);
        await _publishChannelLock.WaitAsync(ct);
        try
        {
            _publishChannel ??= await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                ct);
            return _publishChannel;
        }
        finally
        {
            _publishChannelLock.Release();
        }
    }

    private async Task ReplacePublishChannelAsync(IChannel broken)
    {
        await _publishChannelLock.WaitAsync();
        try
        {
            if (!ReferenceEquals(_publishChannel, broken))
            {
                return; // another publisher replaced it already
            }
            _publishChannel = null;
            _logger.PublishChannelReplaced();
        }
        finally
        {
            _publishChannelLock.Release();
        }
        try
        {
            await broken.CloseAsync();
            broken.Dispose();
        }
        catch (Exception)
        {
            // Best effort: the channel is already unusable, which is why it is being replaced.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var subscription in _subscriptions.Keys)
        {
            await subscription.DisposeAsync();
        }
        try
        {
            if (_publishChannel is { } channel)
            {
                await channel.DisposeAsync();
            }
            if (_connection is { } connection)
            {
                await connection.CloseAsync();
                await connection.DisposeAsync();
            }
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // Shutting down a connection the broker already dropped: nothing left to release.
        }
    }
}
