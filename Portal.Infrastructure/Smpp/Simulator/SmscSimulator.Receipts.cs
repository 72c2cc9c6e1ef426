using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Simulator;

public sealed partial class SmscSimulator
{
    private sealed record ScheduledReceipt(long DueAt, SimulatedReceipt Receipt, SmscConnection? Preferred, int Attempt);

    internal sealed record SimulatedReceipt(string ReceiptId, string SystemId, SmeAddress From, SmeAddress To, MessageState State, string? ResponseId);

    // The receipt delay is constant, so FIFO order is due-time order: one loop, no timer per receipt.
    private readonly Channel<ScheduledReceipt> _receipts = Channel.CreateUnbounded<ScheduledReceipt>();
    private Task? _receiptLoop;

    internal SimulatedReceipt CreateReceipt(string receiptId, string systemId, ShortMessagePdu submit, string responseId, ConcatenationInfo? part = null)
    {
        var state = Options.ReceiptState?.Invoke(part) ?? Options.Outcomes.Pick(Roll());
        if (Find(responseId) is { } kept) kept.State = state;
        return new SimulatedReceipt(receiptId, systemId, submit.Destination, submit.Source, state, responseId);
    }

    internal void ScheduleReceipt(SimulatedReceipt receipt, SmscConnection? preferred)
    {
        var due = Environment.TickCount64 + (long)Options.ReceiptDelay.TotalMilliseconds;
        _receipts.Writer.TryWrite(new ScheduledReceipt(due, receipt, preferred, 0));
        if (Options.Faults.DuplicateReceiptRate > 0 && Roll() < Options.Faults.DuplicateReceiptRate)
        {
            Interlocked.Increment(ref Statistics.DuplicateReceipts);
            _receipts.Writer.TryWrite(new ScheduledReceipt(due, receipt, preferred, 0));
        }
    }

    internal DeliverSm BuildReceiptPdu(SimulatedReceipt receipt)
    {
        var now = DateTime.UtcNow + Options.Faults.ReceiptClockOffset;
        var error = receipt.State switch
        {
            MessageState.Delivered => "000",
            MessageState.Expired => "003",
            MessageState.Rejected => "002",
            _ => "001",
        };
        var text = new DeliveryReceipt(receipt.ReceiptId, receipt.State, error, 1, receipt.State == MessageState.Delivered ? 1 : 0, now, now).ToText();
        var pdu = new DeliverSm
        {
            Source = receipt.From,
            Destination = receipt.To,
            EsmClass = EsmClass.DeliveryReceipt,
            ShortMessage = Encoding.ASCII.GetBytes(text),
        };
        if (Options.ReceiptTlvs)
        {
            pdu.Optional = new OptionalParameters
            {
                ReceiptedMessageId = receipt.ReceiptId,
                MessageState = receipt.State,
                NetworkErrorCode = receipt.State == MessageState.Delivered ? null : new NetworkError(3, ushort.Parse(error)),
            };
        }
        return pdu;
    }

    private async Task ReceiptLoopAsync()
    {
        var reader = _receipts.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var scheduled))
                {
                    var wait = scheduled.DueAt - Environment.TickCount64;
                    if (wait > 0) await Task.Delay((int)wait, _stop.Token).ConfigureAwait(false);
                    var target = FindReceiver(scheduled.Receipt.SystemId, scheduled.Preferred);
                    if (target is null)
                    {
                        // No receiver bound right now: hold the receipt and try again shortly.
                        _ = RetryLaterAsync(scheduled with { Preferred = null });
                        continue;
                    }
                    _ = DeliverReceiptAsync(target, scheduled);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeliverReceiptAsync(SmscConnection target, ScheduledReceipt scheduled)
    {
        Interlocked.Increment(ref Statistics.ReceiptsSent);
        var result = await target.SendRequestAsync(BuildReceiptPdu(scheduled.Receipt), _stop.Token).ConfigureAwait(false);
        if (result is { IsResponse: true, Status: CommandStatus.Ok })
        {
            Interlocked.Increment(ref Statistics.ReceiptsAcknowledged);
            return;
        }
        // Not acknowledged: like a real SMSC, deliver it again later (the ESME drops duplicates).
        _logger.LogDebug("Simulator: receipt {Id} not acknowledged ({Failure}), retrying", scheduled.Receipt.ReceiptId, result.Failure);
        await RetryLaterAsync(scheduled with { Preferred = null }).ConfigureAwait(false);
    }

    private async Task RetryLaterAsync(ScheduledReceipt scheduled)
    {
        if (scheduled.Attempt >= 100 || _stop.IsCancellationRequested) return;
        try
        {
            await Task.Delay(100, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        _receipts.Writer.TryWrite(scheduled with { DueAt = 0, Attempt = scheduled.Attempt + 1 });
    }
}
