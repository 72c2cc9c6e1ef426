using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Smpp.Esme;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Gathers receipts from every connector on this node into batches and publishes each batch to
/// the receipts queue (publisher confirms), so any node can apply them and one UPDATE covers
/// up to <see cref="SendingOptions.ReceiptBatchSize"/> receipts.
/// </summary>
public sealed class ReceiptForwarder(IMessageBus bus, IOptions<SendingOptions> options, ILogger<ReceiptForwarder> logger)
{
    // Bounded: when the bus is slow, the pumps wait, the connectors' inbound channels fill and the
    // SMSC is told to retry (ESME_RX_T_APPN) instead of receipts piling up in memory.
    private readonly Channel<(ReceiptItem Item, InboundMessage? Source)> _items =
        Channel.CreateBounded<(ReceiptItem, InboundMessage?)>(new BoundedChannelOptions(50_000) { SingleReader = true });

    // The SMPP deliveries behind the batch being gathered: acknowledged to the SMSC once it is published (issue 13).
    private readonly List<InboundMessage> _sources = [];

    public long Forwarded;

    /// <param name="source">The SMPP delivery it came from: its deliver_sm_resp waits until the batch holding the receipt is confirmed by the broker.</param>
    internal ValueTask WriteAsync(ReceiptItem item, InboundMessage? source = null) => _items.Writer.WriteAsync((item, source));

    /// <summary>Runs until <paramref name="ct"/> is cancelled, then flushes what it holds.</summary>
    internal async Task RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var batch = new List<ReceiptItem>(o.ReceiptBatchSize);
        var reader = _items.Reader;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!await reader.WaitToReadAsync(ct)) break;
                var deadline = Environment.TickCount64 + (long)o.ReceiptFlushInterval.TotalMilliseconds;
                while (batch.Count < o.ReceiptBatchSize)
                {
                    while (batch.Count < o.ReceiptBatchSize && reader.TryRead(out var item)) Add(batch, item);
                    var left = deadline - Environment.TickCount64;
                    if (batch.Count >= o.ReceiptBatchSize || left <= 0) break;
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    wait.CancelAfter(TimeSpan.FromMilliseconds(left));
                    try
                    {
                        if (!await reader.WaitToReadAsync(wait.Token)) break;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await FlushAsync(batch);
        }
        while (reader.TryRead(out var rest)) Add(batch, rest);
        await FlushAsync(batch);
    }

    private void Add(List<ReceiptItem> batch, (ReceiptItem Item, InboundMessage? Source) entry)
    {
        batch.Add(entry.Item);
        if (entry.Source is not null) _sources.Add(entry.Source);
    }

    private async Task FlushAsync(List<ReceiptItem> batch)
    {
        if (batch.Count == 0) return;
        while (true)
        {
            try
            {
                await bus.PublishAsync(options.Value.ReceiptQueue, new ReceiptBatch([.. batch]));
                Interlocked.Add(ref Forwarded, batch.Count);
                batch.Clear();
                foreach (var source in _sources) source.Acknowledge();
                _sources.Clear();
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Receipts are never dropped here: keep them and retry once the broker is back. Any
                // failure (issue 13): one that escaped ended this loop, and the node's receipts with it.
                logger.LogWarning("Publishing {Count} receipts failed, retrying: {Error}", batch.Count, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
