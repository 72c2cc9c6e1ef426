using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Esme;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Gathers receipts from every connector on this node into batches and publishes each batch to
/// the receipts queue (publisher confirms), so any node can apply them and one UPDATE covers
/// up to <see cref="SendingOptions.ReceiptBatchSize"/> receipts. The SMSC's deliveries behind a
/// batch are acknowledged only once it is durable.
/// </summary>
/// <param name="store">
/// Set when the bus is the in-process one, whose queue dies with the process: the batch is applied
/// to the database right here (what matches nothing is kept as orphan receipts) before the SMSC is
/// answered. Issue 12: published to the in-memory queue and answered at once, the receipts in that
/// queue when the sender stopped were lost for good (6 of 2,000 messages left Submitted after a
/// restart on SQLite); unanswered, the SMSC delivers them again to the next bind.
/// </param>
public sealed class ReceiptForwarder(IMessageBus bus, IOptions<SendingOptions> options, ILogger<ReceiptForwarder> logger, ReceiptProcessor? store = null) : IReceiptSink
{
    // Bounded: when the bus is slow, the pumps wait, the connectors' inbound channels fill and the
    // SMSC is told to retry (ESME_RX_T_APPN) instead of receipts piling up in memory.
    private readonly Channel<(ReceiptItem Item, InboundMessage? Source)> _items =
        Channel.CreateBounded<(ReceiptItem, InboundMessage?)>(new BoundedChannelOptions(50_000) { SingleReader = true });

    // The SMPP deliveries behind the batch being gathered: acknowledged to the SMSC once it is published (issue 13).
    private readonly List<InboundMessage> _sources = [];

    public long Forwarded;

    /// <param name="source">The SMPP delivery it came from: its deliver_sm_resp waits until the batch holding the receipt is confirmed by the broker.</param>
    public ValueTask WriteAsync(ReceiptItem item, InboundMessage? source = null) => _items.Writer.WriteAsync((item, source));

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
                if (store is not null) await store.StoreAsync([.. batch], CancellationToken.None);
                else await bus.PublishAsync(options.Value.ReceiptQueue, new ReceiptBatch([.. batch]));
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
                logger.LogWarning("{Action} {Count} receipts failed, retrying: {Error}", store is null ? "Publishing" : "Storing", batch.Count, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
