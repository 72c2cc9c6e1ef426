using System.Text.Json;
using System.Threading.Channels;
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
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly Func<byte[], Func<CancellationToken, Task>> _bind;
    private readonly string _messageType;
    private readonly MessagingOptions _options;
    private readonly ILogger _logger;
    private readonly Action<RabbitMqSubscription> _onDisposed;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<PendingDelivery> _deliveries = Channel.CreateUnbounded<PendingDelivery>(
        new UnboundedChannelOptions { SingleWriter = true });
    private Task[] _workers = [];
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
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false),
            ct);
        try
        {
            await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: prefetch, global: false, ct);
            var subscription = new RabbitMqSubscription(channel, queue, bind, messageType, options, logger, onDisposed);
            subscription._workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(subscription.WorkAsync)).ToArray();
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

    // The client's dispatcher only queues the delivery and returns. Handlers run on our workers:
    // a handler running inside the dispatcher blocks channel.close, and with it the connection's
    // frame loop (every other channel's open/close), for as long as it runs.
    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        if (!_stopping.IsCancellationRequested)
        {
            // The body's memory belongs to the client only until this callback returns.
            _deliveries.Writer.TryWrite(new PendingDelivery(
                delivery.DeliveryTag, delivery.Body.ToArray(), DeliveryAttempt(delivery.BasicProperties), Telemetry.PortalTelemetry.TraceParentOf(delivery.BasicProperties.Headers)));
        }
        return Task.CompletedTask; // while stopping: left unacked, it returns to the queue on close
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var delivery in _deliveries.Reader.ReadAllAsync(_stopping.Token))
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                await HandleAsync(delivery);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(PendingDelivery delivery)
    {
        var (tag, body, attempt, traceParent) = delivery;
        using var span = Telemetry.PortalTelemetry.StartProcess(_queue, traceParent, null);
        Func<CancellationToken, Task> handle;
        try
        {
            handle = _bind(body);
        }
        catch (JsonException e)
        {
            _logger.Undeserializable(e, _queue, tag, _messageType);
            await SettleAsync(tag, c => _channel.BasicRejectAsync(tag, requeue: false, c));
            return;
        }

        try
        {
            await HandlerRetry.RunAsync(handle, _options, _logger, _queue, _stopping.Token);
        }
        catch (Exception e)
        {
            _logger.HandlerFailed(e, _queue, tag, attempt, _options.MaxDeliveryAttempts);
            await RetryPauseAsync(attempt);
            if (attempt >= _options.MaxDeliveryAttempts)
            {
                _logger.DeadLettered(_queue, tag, attempt);
            }
            await SettleAsync(tag, c => _channel.BasicNackAsync(tag, multiple: false, requeue: true, c));
            return;
        }
        await SettleAsync(tag, c => _channel.BasicAckAsync(tag, multiple: false, c));
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
                // noWait: the client hands basic.cancel-ok to this consumer's dispatcher, which
                // sits behind a handler that may never finish; waiting for it would hang here.
                await _channel.BasicCancelAsync(_consumerTag, noWait: true);
            }
        }
        catch (Exception e)
        {
            _logger.SettleFailed(e, _queue, 0);
        }
        var workers = Task.WhenAll(_workers);
        var unfinished = 0;
        try
        {
            await workers.WaitAsync(_options.ShutdownTimeout);
        }
        catch (TimeoutException)
        {
            unfinished = _workers.Count(w => !w.IsCompleted);
            _logger.ShutdownTimedOut(_queue, _options.ShutdownTimeout);
        }
        // Closing the channel returns every unacknowledged delivery to the queue. The broker does
        // that on receiving channel.close; the client then also waits for its dispatcher to drain,
        // which a stuck handler blocks, so that wait is bounded and the channel left to finish alone.
        var close = _channel.CloseAsync();
        try
        {
            await close.WaitAsync(CloseTimeout);
            _channel.Dispose();
        }
        catch (TimeoutException)
        {
            _ = close.ContinueWith(
                (t, channel) => ((IChannel)channel!).Dispose(),
                _channel,
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
        catch (Exception e)
        {
            _logger.SettleFailed(e, _queue, 0);
        }
        _logger.Unsubscribed(_queue, unfinished);
        _onDisposed(this);
    }

    private readonly record struct PendingDelivery(ulong Tag, byte[] Body, int Attempt, string? TraceParent);
}
