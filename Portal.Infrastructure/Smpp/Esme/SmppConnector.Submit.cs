using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Text;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class SmppConnector
{
    private readonly AdaptiveRate _rate;
    private int _roundRobin;
    private int _concatenationReference;

    private readonly record struct PartResult(string? MessageId, CommandStatus Status, RequestFailure Failure, bool Accepted, string? Reason)
    {
        public bool IsUncertain => Failure is RequestFailure.Timeout or RequestFailure.ConnectionLost or RequestFailure.MalformedResponse;
    }

    /// <summary>
    /// Sends one SMS (all its parts, in order) and reports its definite state. Throttled parts are
    /// resent at the rate the SMSC accepts (the SMSC explicitly did not take them) until
    /// <see cref="SmsSubmission.NotAfter"/>; parts without a
    /// response are never resent and make the outcome <see cref="SubmitOutcome.Uncertain"/>.
    /// </summary>
    public async Task<SubmitOutcome> SubmitAsync(SmsSubmission submission, CancellationToken cancellationToken = default)
    {
        if (submission.Invalid() is { } invalid)
        {
            return new SubmitOutcome.Rejected(invalid, IsPermanent: true, "invalid address", []);
        }
        Interlocked.Increment(ref _submitting);
        try
        {
            return await SubmitPartsAsync(submission, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _submitting);
        }
    }

    private int _submitting;

    /// <summary>SubmitAsync calls not finished yet (waiting for the rate, a window slot or a response).</summary>
    public int SubmissionsInProgress => Volatile.Read(ref _submitting);

    private async Task<SubmitOutcome> SubmitPartsAsync(SmsSubmission submission, CancellationToken cancellationToken)
    {
        var parts = BuildParts(submission);
        // Parts go one after another (issue 12): part k+1 only once part k is accepted, so a throttled
        // part is resent before any later one (handsets and receipt policies see them in order) and a
        // part refused for good leaves the rest unsent instead of delivering a fragment.
        var results = new PartResult[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            // Once part 1 is accepted the message is finished even if the caller gives up waiting
            // (a stopping sender): only the connector stopping interrupts it (see Interrupted).
            var token = i == 0 ? cancellationToken : _stop.Token;
            results[i] = await SubmitPartAsync(parts[i], new PartReference(submission.Reference, i, parts.Count, submission.PartPrice), submission.NotAfter, token).ConfigureAwait(false);
            if (!results[i].Accepted)
            {
                for (var rest = i + 1; rest < parts.Count; rest++) results[rest] = new PartResult(null, results[i].Status, RequestFailure.NotSent, false, "not sent: an earlier part failed");
                break;
            }
        }
        return Aggregate(results);
    }

    private static SubmitOutcome Aggregate(PartResult[] results)
    {
        var ids = new string?[results.Length];
        for (var i = 0; i < results.Length; i++) ids[i] = results[i].MessageId;

        // Uncertain wins: if any part may be on its way, resending the message could double it.
        foreach (var result in results)
        {
            if (result.IsUncertain) return new SubmitOutcome.Uncertain(result.Reason ?? result.Failure.ToString(), ids);
        }
        for (var i = 0; i < results.Length; i++)
        {
            var result = results[i];
            if (!result.Accepted)
            {
                var permanent = result.Failure == RequestFailure.None && !result.Status.IsTemporary() && result.Status != CommandStatus.Ok;
                return new SubmitOutcome.Rejected(result.Status, permanent, result.Reason ?? result.Status.ToString(), ids)
                {
                    FailedPart = results.Length > 1 ? i + 1 : null,
                    Throttled = result.Status.IsThrottling() && result.Failure == RequestFailure.None,
                    Interrupted = result.Failure == RequestFailure.NotSent,
                };
            }
        }
        return new SubmitOutcome.Accepted(ids);
    }

    private async Task<PartResult> SubmitPartAsync(SubmitSm pdu, PartReference part, DateTime? notAfter, CancellationToken cancellationToken)
    {
        try
        {
            return await SubmitPartCoreAsync(pdu, part, notAfter, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation only ever interrupts waits before the PDU is queued: this part was not
            // sent. Reporting it (instead of throwing) keeps sibling parts' outcomes.
            Interlocked.Increment(ref Statistics.PartsRejected);
            return new PartResult(null, CommandStatus.UnknownError, RequestFailure.NotSent, false, "cancelled before sending");
        }
    }

    private async Task<PartResult> SubmitPartCoreAsync(SubmitSm pdu, PartReference part, DateTime? notAfter, CancellationToken cancellationToken)
    {
        var throttled = 0;
        while (true)
        {
            await _rate.WaitAsync(cancellationToken).ConfigureAwait(false);

            var session = await AcquireSessionAsync(cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                Interlocked.Increment(ref Statistics.PartsRejected);
                var reason = _stop.IsCancellationRequested ? "connector stopped" : "no bind available";
                return new PartResult(null, CommandStatus.BindFailed, RequestFailure.NotSent, false, reason);
            }

            Interlocked.Increment(ref Statistics.PartsSent);
            var result = await session.SendInWindowAsync(pdu, new LateSubmit(part, pdu.RegisteredDelivery != 0), cancellationToken).ConfigureAwait(false);

            switch (result.Response)
            {
                case SubmitSmResp { Status: CommandStatus.Ok } accepted:
                    _rate.OnAccepted();
                    Interlocked.Increment(ref Statistics.PartsAccepted);
                    if (pdu.RegisteredDelivery != 0) await RegisterForReceiptsAsync(accepted.MessageId, part).ConfigureAwait(false);
                    return new PartResult(accepted.MessageId, CommandStatus.Ok, RequestFailure.None, true, null);
                case { Status: var status } when status.IsThrottling():
                    // Temporary by definition (issue 12): the part waits for the rate the SMSC accepts and
                    // is sent again, bounded only by the message's validity and the caller's token.
                    Interlocked.Increment(ref Statistics.ThrottleResponses);
                    _rate.OnThrottled();
                    throttled++;
                    if (notAfter is null || DateTime.UtcNow < notAfter) continue;
                    Interlocked.Increment(ref Statistics.PartsRejected);
                    return new PartResult(null, status, RequestFailure.None, false, $"still throttled when its validity ran out ({throttled} tries)");
                case GenericNack nack:
                    // The SMSC could not read our PDU: it definitely did not take the message.
                    Interlocked.Increment(ref Statistics.PartsRejected);
                    return new PartResult(null, nack.Status, RequestFailure.NotSent, false, "generic_nack " + nack.Status);
                case { } refused:
                    Interlocked.Increment(ref Statistics.PartsRejected);
                    return new PartResult(null, refused.Status, RequestFailure.None, false, refused.Status.ToString());
            }

            if (result.Failure == RequestFailure.NotSent && !cancellationToken.IsCancellationRequested)
            {
                // Never left this process: safe to send on another bind, once the bind list has
                // moved on (its connection is gone) or after a moment — never in a tight loop.
                await WaitForSessionsChangeAsync(_sessionsChanged.Task, cancellationToken).ConfigureAwait(false);
                continue;
            }
            Interlocked.Increment(ref Statistics.PartsUncertain);
            _logger.LogWarning("SMPP {Provider}: part {Part} of {Reference} uncertain: {Failure}", _options.Name, part.PartIndex, part.Reference, result.Failure);
            return new PartResult(null, CommandStatus.UnknownError, result.Failure, false, result.Failure.ToString());
        }
    }

    private sealed record LateSubmit(PartReference Part, bool ReceiptRequested);

    private async ValueTask OnLateResponseAsync(Pdu response, object state)
    {
        if (state is not LateSubmit late) return;
        var messageId = (response as SubmitSmResp)?.MessageId;
        _logger.LogWarning("SMPP {Provider}: late {CommandId} for part {Part} of {Reference}: {Status}", _options.Name, response.CommandId, late.Part.PartIndex, late.Part.Reference, response.Status);
        try
        {
            // Published before the receipts it may release, so consumers learn the id first.
            await _inbound.Writer.WriteAsync(new LateSubmitResponse(_options.Name, late.Part.Reference, late.Part.PartIndex, response.Status, messageId), _stop.Token).ConfigureAwait(false);
            if (response.Status == CommandStatus.Ok && messageId is not null && late.ReceiptRequested)
            {
                await RegisterForReceiptsAsync(messageId, late.Part).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // stopping: the late response stays in the log only
        }
    }

    /// <summary>Round-robin over binds that can submit, taking a free window slot; null when none comes up in time.</summary>
    private async ValueTask<EsmeSession?> AcquireSessionAsync(CancellationToken cancellationToken)
    {
        long deadline = 0;
        while (!_stop.IsCancellationRequested)
        {
            var changed = _sessionsChanged.Task;
            var sessions = _submitters;
            if (sessions.Length > 0)
            {
                var start = (uint)Interlocked.Increment(ref _roundRobin);
                for (var i = 0; i < sessions.Length; i++)
                {
                    var candidate = sessions[(start + i) % sessions.Length];
                    if (candidate.TryEnterWindow()) return candidate;
                }
                var chosen = sessions[start % sessions.Length];
                if (await chosen.EnterWindowAsync(cancellationToken).ConfigureAwait(false)) return chosen;
                // The chosen bind is going down but still listed: wait for the list to change (or a
                // moment) instead of spinning. Under load, hundreds of spinning submitters starved the
                // thread pool so the bind loop that removes the dead session never ran (a livelock).
                await WaitForSessionsChangeAsync(changed, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var now = Environment.TickCount64;
            if (deadline == 0) deadline = now + (long)_options.BindWaitTimeout.TotalMilliseconds;
            var remaining = deadline - now;
            if (remaining <= 0) return null;
            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(remaining, 1000)), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        return null;
    }

    private static async Task WaitForSessionsChangeAsync(Task changed, CancellationToken cancellationToken)
    {
        try
        {
            await changed.WaitAsync(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>data_coding with message class 0 (flash): GSM default 0x00 -> 0x10, UCS-2 0x08 -> 0x18; others unchanged.</summary>
    internal static byte FlashCoding(byte dataCoding) => dataCoding switch
    {
        DataCoding.SmscDefault => DataCoding.FlashGsm7,
        DataCoding.Ucs2 => DataCoding.FlashUcs2,
        _ => dataCoding,
    };

    /// <summary>One submit_sm per part, shaped by the provider's long-message method.</summary>
    internal List<SubmitSm> BuildParts(SmsSubmission submission)
    {
        var message = SegmentedMessage.Create(submission.Text, submission.Encoding);
        var method = _options.LongMessageMethod;
        var registeredDelivery = submission.RequestReceipt ? (byte)0x01 : (byte)0x00;
        var source = submission.SourceAddress;
        var destination = submission.DestinationAddress;

        SubmitSm Part(ReadOnlyMemory<byte> shortMessage) => new()
        {
            Source = source,
            Destination = destination,
            DataCoding = submission.Flash ? FlashCoding(message.DataCoding) : message.DataCoding,
            RegisteredDelivery = registeredDelivery,
            ValidityPeriod = submission.ValidityPeriod,
            ShortMessage = shortMessage,
        };

        if (message.Parts.Count == 1) return [Part(message.Payload)];

        if (method == LongMessageMethod.MessagePayload)
        {
            var whole = Part(ReadOnlyMemory<byte>.Empty);
            whole.Optional = new OptionalParameters { MessagePayload = message.Payload };
            return [whole];
        }

        var reference = (ushort)Interlocked.Increment(ref _concatenationReference);
        var total = (byte)message.Parts.Count;
        var parts = new List<SubmitSm>(total);
        for (var i = 0; i < total; i++)
        {
            var info = new ConcatenationInfo((byte)reference, total, (byte)(i + 1));
            if (method == LongMessageMethod.Sar)
            {
                var part = Part(message.Parts[i]);
                part.Optional = new OptionalParameters
                {
                    SarMsgRefNum = reference,
                    SarTotalSegments = total,
                    SarSegmentSeqnum = (byte)(i + 1),
                };
                parts.Add(part);
            }
            else
            {
                var userData = new byte[ConcatenationInfo.UdhLength + message.Parts[i].Length];
                info.WriteUdh(userData);
                message.Parts[i].Span.CopyTo(userData.AsSpan(ConcatenationInfo.UdhLength));
                var part = Part(userData);
                part.EsmClass = EsmClass.UdhIndicator;
                parts.Add(part);
            }
        }
        return parts;
    }
}
