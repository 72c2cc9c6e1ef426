using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Portal.Infrastructure.Messaging;

/// <summary>
/// One consumer on a channel of its own. Acks only after the handler completed; a failed handler
/// nacks with requeue and the quorum queue counts the delivery, dead-lettering past its limit.
/// </summary>
internal sealed class RabbitMqSubscription : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly Func<byte[], Func<CancellationToken, Task>> _bind;
    private readonly string _messageType;
    private readonly MessagingOptions _options;
    private readonly ILogger _logger;
    private readonly Action<RabbitMqSubscription> _onDisposed;
    private readonly CancellationTokenSource _stopping = new();
    private int _inFlight;
    private string? _consumerTag;
    private int _disposed;

    private RabbitMqSubscription(
        IChannel channel,
        string queue,
        Func<byte[], Func<CancellationToken, Task>> bind,
        string messageType,
        MessagingOptions options,
        ILogger logger,
        Action<RabbitMqSubscription> onDisposed)
    {
        _channel = channel;
        _queue = queue;
        _bind = bind;
        _messageType = messageType;
        _options = options;
        _logger = logger;
        _onDisposed = onDisposed;
    }

    public static async Task<RabbitMqSubscription> StartAsync(
        IConnection connection,
        string queue,
        Func<byte[], Func<CancellationToken, Task>> bind,
        string messageType,
        ushort prefetch,
        ushort concurrency,
        MessagingOptions options,
        ILogger logger,
        Action<RabbitMqSubscription> onDisposed,
        CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: false,
                publisherConfirmationTrackingEnabled: false,
                consumerDispatchConcurrency: concurrency),
            ct);
        try
        {
            await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: prefetch, global: false, ct);
            var subscription = new RabbitMqSubscription(channel, queue, bind, messageType, options, logger, onDisposed);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += subscription.OnReceivedAsync;
            subscription._consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
            return subscription;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var tag = delivery.DeliveryTag;
        if (_stopping.IsCancellationRequested)
        {
            return; // left unacknowledged: it goes back to the queue when the channel closes
        }
        Interlocked.Increment(ref _inFlight);
        try
        {
            var attempt = DeliveryAttempt(delivery.BasicProperties);
            Func<CancellationToken, Task> handle;
            try
            {
                // The body's memory belongs to the client only until this callback returns.
                handle = _bind(delivery.Body.ToArray());
            }
            catch (JsonException e)
            {
                _logger.Undeserializable(e, _queue, tag, _messageType);
                await SettleAsync(tag, c => _channel.BasicRejectAsync(tag, requeue: false, c));
                return;
            }

            try
            {
                await handle(_stopping.Token);
            }
            catch (Exception e)
            {
                _logger.HandlerFailed(e, _queue, tag, attempt, _options.MaxDeliveryAttempts);
                await RetryPauseAsync();
                if (attempt >= _options.MaxDeliveryAttempts)
                {
                    _logger.DeadLettered(_queue, tag, attempt);
                }
                await SettleAsync(tag, c => _channel.BasicNackAsync(tag, multiple: false, requeue: true, c));
                return;
            }
            await SettleAsync(tag, c => _channel.BasicAckAsync(tag, multiple: false, c));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // Quorum queues put the number of earlier deliveries in x-delivery-count.
    private static int DeliveryAttempt(IReadOnlyBasicProperties properties)
    {
        if (properties.Headers?.TryGetValue("x-delivery-count", out var value) == true)
        {
            return value switch
            {
                long l => (int)l + 1,
                int i => i + 1,
                _ => 1,
            };
        }
        return 1;
    }

    private async Task RetryPauseAsync()
    {
        if (_options.RetryDelay > TimeSpan.Zero && !_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RetryDelay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task SettleAsync(ulong tag, Func<CancellationToken, ValueTask> settle)
    {
        try
        {
            await settle(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The channel closed (shutdown timeout, connection loss): the broker has already
            // returned the message to the queue, so nothing is lost, it is only redelivered.
            _logger.SettleFailed(e, _queue, tag);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _stopping.Cancel();
        try
        {
            if (_consumerTag is not null && _channel.IsOpen)
            {
                await _channel.BasicCancelAsync(_consumerTag);
            }
        }
        catch (Exception e)
        {
            _logger.SettleFailed(e, _queue, 0);
        }
        var deadline = DateTime.UtcNow + _options.ShutdownTimeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        var unfinished = Volatile.Read(ref _inFlight);
        if (unfinished > 0)
        {
            _logger.ShutdownTimedOut(_queue, _options.ShutdownTimeout);
        }
        // Closing the channel returns every unacknowledged delivery to the queue.
        try
        {
            await _channel.CloseAsync();
        }
        catch (Exception e)
        {
            _logger.SettleFailed(e, _queue, 0);
        }
        _channel.Dispose();
        _logger.Unsubscribed(_queue, unfinished);
        _onDisposed(this);
    }
}
