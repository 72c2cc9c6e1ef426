using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// The node's sender: consumes chunks (bounded prefetch), receipt batches and inbound SMS from the
/// bus, forwards connector receipts and MO messages to the bus and runs the sweeper. Stopping
/// returns unfinished chunks to the queue.
/// </summary>
public sealed class SendingService(
    IMessageBus bus,
    ChunkSender sender,
    PrioritySender prioritySender,
    ReceiptProcessor receipts,
    ReceiptForwarder forwarder,
    IInboundHandler inbound,
    IMoSink moForwarder,
    DispatchSweeper sweeper,
    ProviderConnections connections,
    IMessageRouter router,
    IOptions<MessagingOptions> messaging,
    IOptions<SendingOptions> options,
    TimeProvider clock,
    ILogger<SendingService> logger) : BackgroundService
{
    /// <summary>
    /// When this node's bus came to life, for the in-process recovery: chunks published from here on
    /// are in this process's queues. Taken when the host resolves its hosted services, before any of
    /// them starts: ExecuteAsync runs on the thread pool (.NET 10), so a launch right after the host's
    /// start could beat a time read there (seen under load in CI).
    /// </summary>
    private readonly DateTime _startedAt = clock.GetUtcNow().UtcDateTime;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        await Task.Yield();
        using var forwarding = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var forwarderLoop = forwarder.RunAsync(forwarding.Token);
        var moLoop = moForwarder.RunAsync(forwarding.Token);
        IAsyncDisposable? chunks = null, priority = null, receiptSubscription = null, inboundSubscription = null;
        var connecting = Task.CompletedTask;
        try
        {
            // The priority lane first (ADR 0010): its own queue and consumers, so its messages never wait
            // behind chunks on the bus; PriorityLane reserves provider capacity for them.
            priority = await SubscribeUntilUpAsync<PriorityBatch>(o.PriorityQueue, prioritySender.ProcessAsync,
                new SubscriptionOptions { Prefetch = o.PriorityConcurrency * 2, Concurrency = o.PriorityConcurrency }, stoppingToken);
            chunks = await SubscribeUntilUpAsync<DispatchChunk>(o.ChunkQueue, sender.ProcessAsync,
                new SubscriptionOptions { Prefetch = o.Prefetch, Concurrency = o.Concurrency }, stoppingToken);
            receiptSubscription = await SubscribeUntilUpAsync<ReceiptBatch>(o.ReceiptQueue, receipts.ApplyAsync,
                new SubscriptionOptions { Prefetch = 4, Concurrency = 2 }, stoppingToken);
            // Replies from clients (SMPP MO via MoForwarder, HTTP webhooks): opt-out, opt-in, auto-replies, the inbox.
            inboundSubscription = await SubscribeUntilUpAsync<InboundSms>(o.InboundQueue, inbound.ProcessAsync,
                new SubscriptionOptions { Prefetch = 8, Concurrency = 2 }, stoppingToken);
            if (messaging.Value.Transport == MessagingTransport.InProcess)
            {
                await RunSafelyAsync(() => sweeper.RecoverAsync(_startedAt, stoppingToken), "recovery");
            }
            connecting = KeepProvidersConnectedAsync(stoppingToken);
            using var timer = new PeriodicTimer(o.SweepInterval);
            do
            {
                await RunSafelyAsync(() => sweeper.SweepAsync(stoppingToken), "sweep");
                await RunSafelyAsync(() => prioritySender.SweepAsync(bus, stoppingToken), "priority sweep");
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (chunks is not null) await chunks.DisposeAsync();
            if (priority is not null) await priority.DisposeAsync();
            await connecting;
            // Connectors stop after the chunk handlers, so their last receipts still reach the forwarder.
            await connections.DisposeAsync();
            await forwarding.CancelAsync();
            await forwarderLoop;
            await moLoop;
            if (receiptSubscription is not null) await receiptSubscription.DisposeAsync();
            if (inboundSubscription is not null) await inboundSubscription.DisposeAsync();
        }
    }

    /// <summary>
    /// Every enabled provider connected from the start and re-checked every 30 s (new or re-enabled
    /// ones): replies and receipts reach a node that has not sent yet. Ends when the node stops.
    /// </summary>
    private async Task KeepProvidersConnectedAsync(CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
            do
            {
                await RunSafelyAsync(() => router.ConnectAllAsync(ct), "provider connections");
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A broker down when the node starts (or restarted before the subscription) must not stop the
    /// host: the UI keeps serving, and the subscription is retried with back-off until it is up
    /// (issue 13). Once subscribed, the client's automatic recovery keeps it.
    /// </summary>
    private async Task<IAsyncDisposable> SubscribeUntilUpAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions subscription, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return await bus.SubscribeAsync(queue, handler, subscription, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning("Subscribing to {Queue} failed, retrying in {Delay}: {Error}", queue, delay, e.Message);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxResubscribeDelay.Ticks));
            }
        }
    }

    internal static readonly TimeSpan MaxResubscribeDelay = TimeSpan.FromSeconds(15);

    private async Task RunSafelyAsync(Func<Task> work, string what)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Dispatch {What} failed; retried on the next tick", what);
        }
    }
}
