using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class EsmeSession
{
    private long _lastReceived = Environment.TickCount64;

    /// <summary>Runs on the read loop for every frame from the SMSC.</summary>
    private async ValueTask OnFrameAsync(PduFrame frame)
    {
        _lastReceived = Environment.TickCount64;
        if (_outbind is not null && TakeOutbindFrame(frame)) return;
        switch (frame.Status)
        {
            case PduReadStatus.UnknownCommand:
                if (!frame.IsResponse) Reply(new GenericNack { Status = CommandStatus.InvalidCommandId, SequenceNumber = frame.SequenceNumber });
                return;
            case PduReadStatus.InvalidBody:
                _logger.LogWarning("SMPP {Provider}: malformed {CommandId:X8} seq={Sequence}", _options.Name, frame.CommandId, frame.SequenceNumber);
                if (frame.IsResponse) _requests.Complete(frame.SequenceNumber, new RequestResult(null, RequestFailure.MalformedResponse));
                else Reply(new GenericNack { Status = CommandStatus.InvalidCommandLength, SequenceNumber = frame.SequenceNumber });
                return;
        }

        var pdu = frame.Pdu!;
        if (pdu.IsResponse)
        {
            if (_requests.Complete(pdu.SequenceNumber, new RequestResult(pdu, RequestFailure.None))) return;
            if (_requests.TryTakeExpired(pdu.SequenceNumber, out var state) && _onLateResponse is not null)
            {
                // Its message was already reported uncertain; this resolves it.
                await _onLateResponse(pdu, state!).ConfigureAwait(false);
                return;
            }
            _logger.LogWarning("SMPP {Provider}: unknown {CommandId} seq={Sequence}", _options.Name, pdu.CommandId, pdu.SequenceNumber);
            return;
        }

        switch (pdu)
        {
            case EnquireLink enquireLink:
                Reply(enquireLink.CreateResponse());
                break;
            case Unbind unbind:
                _bound = false;
                Reply(unbind.CreateResponse());
                _ = _transport.CloseAfterFlushAsync("unbound by SMSC", TimeSpan.FromSeconds(1));
                break;
            case DeliverSm deliver:
                ReplyWhenDurable(await DeliverAsync(deliver).ConfigureAwait(false), status => deliver.CreateResponse(status));
                break;
            case DataSm data:
                ReplyWhenDurable(await DeliverAsync(data).ConfigureAwait(false), status => data.CreateResponse(status, string.Empty));
                break;
            default:
                // An SMSC has no business sending bind/submit_sm/... to an ESME.
                Reply(new GenericNack { Status = CommandStatus.InvalidCommandId, SequenceNumber = pdu.SequenceNumber });
                break;
        }
    }

    /// <summary>
    /// Answers at once, or once the item is durable without holding up the read loop (submit_sm_resp
    /// keep flowing meanwhile). A connection lost before then sends nothing: the SMSC re-delivers.
    /// </summary>
    private void ReplyWhenDurable(DeliverOutcome outcome, Func<CommandStatus, Pdu> response)
    {
        if (outcome.Durable is not { } durable)
        {
            Reply(response(outcome.Status));
            return;
        }
        if (durable.IsCompletedSuccessfully)
        {
            Reply(response(durable.Result ? outcome.Status : CommandStatus.TemporaryAppError));
            return;
        }
        _ = durable.ContinueWith(t => Reply(response(t.IsCompletedSuccessfully && t.Result ? outcome.Status : CommandStatus.TemporaryAppError)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async ValueTask<DeliverOutcome> DeliverAsync(Pdu pdu)
    {
        if (Mode == BindMode.Transmitter) return CommandStatus.IncorrectBindStatus;
        try
        {
            return await _onDeliver(pdu).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // Shutting down: refuse it; ESME_RX_T_APPN makes the SMSC deliver it again later.
            return CommandStatus.TemporaryAppError;
        }
        catch (Exception e)
        {
            // ESME_RX_T_APPN asks the SMSC to deliver again later: nothing is lost.
            _logger.LogError(e, "SMPP {Provider}: inbound handler failed", _options.Name);
            return CommandStatus.TemporaryAppError;
        }
    }

    private void Reply(Pdu response) => _transport.TrySend(response);
}

/// <summary>What the inbound handler made of a deliver_sm: the status to answer and, when the answer must wait for durability, the task that says so.</summary>
public readonly record struct DeliverOutcome(CommandStatus Status, Task<bool>? Durable = null)
{
    public static implicit operator DeliverOutcome(CommandStatus status) => new(status);
}
