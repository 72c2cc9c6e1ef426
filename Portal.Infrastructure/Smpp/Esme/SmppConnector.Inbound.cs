using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class SmppConnector
{
    /// <summary>
    /// Which part of which submission a message id belongs to; the count lets receipt policies find
    /// the last part; the caller's part price comes back with the receipt (<see cref="SmsSubmission.PartPrice"/>).
    /// </summary>
    private readonly record struct PartReference(string Reference, int PartIndex, int PartCount, decimal? PartPrice);

    private readonly Channel<InboundMessage> _inbound;
    private readonly ReceiptMatcher<PartReference> _matcher;

    /// <summary>
    /// Receipts (matched to the submission reference when possible; duplicates dropped), MO messages
    /// and late submit responses. deliver_sm_resp goes back only once an item is in this channel;
    /// while it is full, deliveries are refused with ESME_RX_T_APPN for the SMSC to retry, so a slow
    /// consumer neither loses anything nor stalls submits.
    /// </summary>
    public ChannelReader<InboundMessage> Inbound => _inbound.Reader;

    /// <summary>With durable acknowledgements: a fresh completion for the item about to enter the channel, else null.</summary>
    private TaskCompletionSource<bool>? NewDurable() =>
        _options.DurableAcknowledgements ? new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    private async ValueTask<DeliverOutcome> OnDeliverAsync(Pdu pdu)
    {
        // A full channel must not block the read loop (submit_sm_resp behind it would time out and
        // make messages uncertain): refuse with ESME_RX_T_APPN, the SMSC delivers it again later.
        // Checked before matching so a refused receipt is not remembered as seen.
        if (_inbound.Reader.Count >= _options.InboundCapacity)
        {
            Interlocked.Increment(ref Statistics.InboundRefusals);
            return CommandStatus.TemporaryAppError;
        }
        DeliveryReceipt? receipt = null;
        var isReceipt = pdu switch
        {
            DeliverSm deliver => ReceiptParser.TryParse(deliver, out receipt),
            DataSm data => ReceiptParser.TryParse(data, out receipt),
            _ => false,
        };
        if (isReceipt)
        {
            var durable = await OnReceiptAsync(receipt!).ConfigureAwait(false);
            return new DeliverOutcome(CommandStatus.Ok, durable?.Task);
        }
        if (pdu is DeliverSm { IsDeliveryReceipt: true } or DataSm { IsDeliveryReceipt: true })
        {
            _logger.LogWarning("SMPP {Provider}: unreadable delivery receipt ignored", _options.Name);
            return CommandStatus.Ok;
        }

        var mo = pdu switch
        {
            DeliverSm deliver => ToMo(deliver.Source, deliver.Destination, deliver.DataCoding, deliver.Content, deliver.HasUdh, deliver.Optional),
            DataSm data => ToMo(data.Source, data.Destination, data.DataCoding, data.Optional?.MessagePayload ?? ReadOnlyMemory<byte>.Empty,
                (data.EsmClass & EsmClass.UdhIndicator) != 0, data.Optional),
            _ => null,
        };
        if (mo is null) return CommandStatus.InvalidCommandId;
        Interlocked.Increment(ref Statistics.MoMessages);
        var moDurable = NewDurable();
        await _inbound.Writer.WriteAsync(mo with { Durable = moDurable }, _stop.Token).ConfigureAwait(false);
        return new DeliverOutcome(CommandStatus.Ok, moDurable?.Task);
    }

    private MoMessageReceived ToMo(SmeAddress from, SmeAddress to, byte dataCoding, ReadOnlyMemory<byte> content, bool hasUdh, OptionalParameters? tlvs)
    {
        ConcatenationInfo? part = null;
        var body = content.Span;
        if (hasUdh && ConcatenationInfo.TryReadUdh(body, out var info, out var udhLength))
        {
            part = info;
            body = body[udhLength..];
        }
        else if (hasUdh && body.Length > 0 && body[0] + 1 <= body.Length)
        {
            body = body[(body[0] + 1)..];
        }
        else if (tlvs is { SarMsgRefNum: { } reference, SarTotalSegments: { } total, SarSegmentSeqnum: { } sequence })
        {
            part = new ConcatenationInfo(reference, total, sequence);
        }
        return new MoMessageReceived(_options.Name, from, to, DataCoding.Decode(dataCoding, body), dataCoding, part);
    }

    /// <returns>The completion the deliver_sm_resp waits for, when the receipt went into the channel with durable acknowledgements.</returns>
    private async ValueTask<TaskCompletionSource<bool>?> OnReceiptAsync(DeliveryReceipt receipt)
    {
        Interlocked.Increment(ref Statistics.Receipts);
        var normalized = _options.MessageIdMatching.NormalizeReceipted(receipt.MessageId);
        var durable = NewDurable();
        if (!_options.MatchReceipts)
        {
            await _inbound.Writer.WriteAsync(new ReceiptReceived(_options.Name, receipt, normalized, null, null) { Durable = durable }, _stop.Token).ConfigureAwait(false);
            return durable;
        }
        var match = _matcher.Match(receipt);
        switch (match.Kind)
        {
            case ReceiptMatchKind.Matched:
                await _inbound.Writer.WriteAsync(
                    new ReceiptReceived(_options.Name, receipt, normalized, match.Reference.Reference, match.Reference.PartIndex, match.Reference.PartCount, match.Reference.PartPrice) { Durable = durable },
                    _stop.Token).ConfigureAwait(false);
                return durable;
            case ReceiptMatchKind.Duplicate:
                Interlocked.Increment(ref Statistics.DuplicateReceipts);
                break;
            case ReceiptMatchKind.Pending:
                // Overtook its submit_sm_resp: released by RegisterForReceiptsAsync. Answered at once
                // (held in memory until its submit is recorded; a crash in that window loses it).
                Interlocked.Increment(ref Statistics.EarlyReceipts);
                break;
        }
        return null;
    }

    private async ValueTask RegisterForReceiptsAsync(string messageId, PartReference part)
    {
        if (!_options.MatchReceipts) return;
        foreach (var released in _matcher.Register(messageId, part))
        {
            if (released.Kind == ReceiptMatchKind.Duplicate)
            {
                Interlocked.Increment(ref Statistics.DuplicateReceipts);
                continue;
            }
            var normalized = _options.MessageIdMatching.NormalizeReceipted(released.Receipt.MessageId);
            if (!await TryPublishAsync(new ReceiptReceived(_options.Name, released.Receipt, normalized, part.Reference, part.PartIndex, part.PartCount, part.PartPrice)).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// False once the connector has stopped and closed <see cref="Inbound"/>: a submit_sm_resp that
    /// races StopAsync must not turn into an exception out of SubmitAsync, which never throws.
    /// </summary>
    private async ValueTask<bool> TryPublishAsync(InboundMessage message)
    {
        try
        {
            await _inbound.Writer.WriteAsync(message).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Periodically forgets old ids and hands over receipts whose message never showed up.</summary>
    private async Task RunReceiptSweepAsync()
    {
        // Held receipts every quarter of the hold (a few seconds); the submitted ids (many) as before.
        var shortest = Math.Min(_options.ReceiptRetention.Ticks, (_options.ResponseTimeout + _options.LateResponseRetention).Ticks);
        var knownPeriod = Math.Clamp(shortest / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerMinute);
        var period = TimeSpan.FromTicks(Math.Clamp(_options.ResponseTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, knownPeriod));
        var knownEvery = Math.Max(1, knownPeriod / period.Ticks);
        using var timer = new PeriodicTimer(period);
        long ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var receipt in _matcher.Sweep(known: ++ticks % knownEvery == 0))
                {
                    Interlocked.Increment(ref Statistics.UnmatchedReceipts);
                    var normalized = _options.MessageIdMatching.NormalizeReceipted(receipt.MessageId);
                    await _inbound.Writer.WriteAsync(new ReceiptReceived(_options.Name, receipt, normalized, null, null), _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
