using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Simulator;

/// <summary>The simulator's side of one ESME connection.</summary>
internal sealed class SmscConnection
{
    private readonly SmscSimulator _simulator;
    private readonly SmscSimulatorOptions _options;
    private readonly PduTransport _transport;
    private readonly RequestTracker _requests = new();
    private readonly ILogger _logger;
    private BindMode? _mode;

    public SmscConnection(SmscSimulator simulator, Socket socket, ILogger logger)
    {
        _simulator = simulator;
        _options = simulator.Options;
        _logger = logger;
        _transport = new PduTransport(socket, _options.MaxPduLength, 8192, logger);
    }

    public string SystemId { get; private set; } = string.Empty;

    public bool IsBound => _mode is not null && _transport.IsOpen;

    public bool CanReceive => _mode is BindMode.Receiver or BindMode.Transceiver && _transport.IsOpen;

    public Task Completion => _transport.Completion;

    public void Start()
    {
        _transport.Closed.Register(() => _requests.FailAll(RequestFailure.ConnectionLost));
        _transport.Start(OnFrameAsync);
        _ = SweepAsync();
    }

    public void Abort(string reason) => _transport.Abort(reason);

    /// <summary>Outbind (spec 4.1.7) on a connection this side opened: the ESME answers with bind_receiver, handled as any bind.</summary>
    public ValueTask<bool> SendOutbindAsync(string systemId, string password, CancellationToken cancellationToken) =>
        _transport.SendAsync(new Outbind { SystemId = systemId, Password = password, SequenceNumber = _requests.NextSequence() }, cancellationToken);

    public async Task<RequestResult> SendRequestAsync(Pdu request, CancellationToken cancellationToken)
    {
        request.SequenceNumber = _requests.NextSequence();
        var response = _requests.Register(request.SequenceNumber);
        if (!await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false))
        {
            _requests.Complete(request.SequenceNumber, new RequestResult(null, RequestFailure.NotSent));
        }
        return await response.ConfigureAwait(false);
    }

    public async Task UnbindAsync()
    {
        _mode = null;
        await Task.WhenAny(SendRequestAsync(new Unbind(), CancellationToken.None), Task.Delay(2000)).ConfigureAwait(false);
        await _transport.CloseAfterFlushAsync("unbound by simulator", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    }

    private async Task SweepAsync()
    {
        var enquireEvery = _options.EnquireLinkInterval;
        var lastEnquire = Environment.TickCount64;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(enquireEvery is { } e ? Math.Clamp(e.TotalMilliseconds / 2, 10, 1000) : 1000));
        try
        {
            while (await timer.WaitForNextTickAsync(_transport.Closed).ConfigureAwait(false))
            {
                _requests.ExpireOlderThan(TimeSpan.FromSeconds(10));
                if (enquireEvery is { } every && IsBound && Environment.TickCount64 - lastEnquire >= every.TotalMilliseconds)
                {
                    lastEnquire = Environment.TickCount64;
                    _ = SendRequestAsync(new EnquireLink(), CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private ValueTask OnFrameAsync(PduFrame frame)
    {
        switch (frame.Status)
        {
            case PduReadStatus.UnknownCommand:
                Interlocked.Increment(ref _simulator.Statistics.MalformedPdus);
                if (!frame.IsResponse) Reply(new GenericNack { Status = CommandStatus.InvalidCommandId, SequenceNumber = frame.SequenceNumber });
                return ValueTask.CompletedTask;
            case PduReadStatus.InvalidBody:
                Interlocked.Increment(ref _simulator.Statistics.MalformedPdus);
                if (frame.IsResponse) _requests.Complete(frame.SequenceNumber, new RequestResult(null, RequestFailure.MalformedResponse));
                else Reply(new GenericNack { Status = CommandStatus.InvalidCommandLength, SequenceNumber = frame.SequenceNumber });
                return ValueTask.CompletedTask;
        }

        var pdu = frame.Pdu!;
        if (pdu.IsResponse)
        {
            if (pdu is EnquireLinkResp) Interlocked.Increment(ref _simulator.Statistics.EnquireLinkResponses);
            _requests.Complete(pdu.SequenceNumber, new RequestResult(pdu, RequestFailure.None));
            return ValueTask.CompletedTask;
        }

        if (_simulator.ShouldDrop())
        {
            Interlocked.Increment(ref _simulator.Statistics.ConnectionsDropped);
            _transport.Abort("fault injection: drop");
            return ValueTask.CompletedTask;
        }

        switch (pdu)
        {
            case Bind bind:
                OnBind(bind);
                break;
            case EnquireLink enquireLink:
                Interlocked.Increment(ref _simulator.Statistics.EnquireLinks);
                Reply(enquireLink.CreateResponse());
                break;
            case Unbind unbind:
                Interlocked.Increment(ref _simulator.Statistics.Unbinds);
                _mode = null;
                Reply(unbind.CreateResponse());
                _ = _transport.CloseAfterFlushAsync("unbound by ESME", TimeSpan.FromSeconds(1));
                break;
            case SubmitSm submit:
                OnSubmit(submit);
                break;
            case DataSm data:
                OnDataSm(data);
                break;
            case QuerySm query:
                OnQuery(query);
                break;
            default:
                // deliver_sm / outbind from an ESME make no sense here.
                Reply(new GenericNack { Status = CommandStatus.InvalidCommandId, SequenceNumber = pdu.SequenceNumber });
                break;
        }
        return ValueTask.CompletedTask;
    }

    private void OnBind(Bind bind)
    {
        if (_mode is not null)
        {
            Reply(bind.CreateResponse(CommandStatus.AlreadyBound, _options.SystemId));
            return;
        }
        var status = _simulator.Authenticate(bind.SystemId, bind.Password);
        var response = bind.CreateResponse(status, _options.SystemId);
        if (status != CommandStatus.Ok)
        {
            Interlocked.Increment(ref _simulator.Statistics.BindsRefused);
            Reply(response);
            _ = _transport.CloseAfterFlushAsync("bind refused", TimeSpan.FromSeconds(1));
            return;
        }
        response.Optional = new OptionalParameters { ScInterfaceVersion = Bind.SmppVersion34 };
        SystemId = bind.SystemId;
        _mode = bind.Mode;
        Interlocked.Increment(ref _simulator.Statistics.BindsAccepted);
        Reply(response);
    }

    private void OnSubmit(SubmitSm submit)
    {
        Interlocked.Increment(ref _simulator.Statistics.SubmitSmReceived);
        if (_mode is null or BindMode.Receiver)
        {
            Reply(submit.CreateResponse(CommandStatus.IncorrectBindStatus, string.Empty));
            return;
        }
        if (RefuseByFault(submit) is { } fault)
        {
            Reply(fault);
            return;
        }

        var (responseId, receiptId) = _simulator.NextMessageId();
        Interlocked.Increment(ref _simulator.Statistics.SubmitSmAccepted);
        var message = new SimulatedMessage(responseId, SystemId, submit.Source, submit.Destination, submit.DataCoding, submit.EsmClass, submit.Content, submit.Optional);
        _simulator.Remember(message);
        if (_options.AutoReply is { } autoReply && message.Part is not { Sequence: > 1 })
        {
            _simulator.ScheduleReply(autoReply, submit.Destination.Value, submit.Source.Value, message.Text, SystemId);
        }

        var unanswered = _options.Faults.NoResponseRate > 0 && _simulator.Roll() < _options.Faults.NoResponseRate;
        if ((submit.RegisteredDelivery & 0x03) != 0)
        {
            var receipt = _simulator.CreateReceipt(receiptId, SystemId, submit, responseId, _options.ReceiptState is null ? null : message.Part);
            if (_options.Faults.ReceiptBeforeResponse && CanReceive)
            {
                // Queued ahead of the response on the same connection, so it is read first.
                Interlocked.Increment(ref _simulator.Statistics.ReceiptsSent);
                _ = SendRequestAsync(_simulator.BuildReceiptPdu(receipt), CancellationToken.None);
            }
            else
            {
                _simulator.ScheduleReceipt(receipt, this);
            }
        }
        if (unanswered)
        {
            Interlocked.Increment(ref _simulator.Statistics.Unanswered);
            return;
        }
        Respond(submit.CreateResponse(CommandStatus.Ok, responseId));
    }

    /// <summary>A throttle / queue-full / generic_nack answer from the fault dice, or null to go on.</summary>
    private Pdu? RefuseByFault(Pdu request)
    {
        var faults = _options.Faults;
        if (faults.ContractedRate is { } contracted && !_simulator.TakeContracted(contracted, faults.ContractedBurst))
        {
            Interlocked.Increment(ref _simulator.Statistics.ThrottledResponses);
            return new SubmitSmResp { SequenceNumber = request.SequenceNumber, Status = CommandStatus.Throttled };
        }
        if (faults.ThrottleRate > 0 && _simulator.Roll() < faults.ThrottleRate)
        {
            Interlocked.Increment(ref _simulator.Statistics.ThrottledResponses);
            return new SubmitSmResp { SequenceNumber = request.SequenceNumber, Status = CommandStatus.Throttled };
        }
        if (faults.QueueFullRate > 0 && _simulator.Roll() < faults.QueueFullRate)
        {
            Interlocked.Increment(ref _simulator.Statistics.ThrottledResponses);
            return new SubmitSmResp { SequenceNumber = request.SequenceNumber, Status = CommandStatus.MessageQueueFull };
        }
        if (faults.GenericNackRate > 0 && _simulator.Roll() < faults.GenericNackRate)
        {
            Interlocked.Increment(ref _simulator.Statistics.GenericNacks);
            return new GenericNack { SequenceNumber = request.SequenceNumber, Status = CommandStatus.SystemError };
        }
        return null;
    }

    private void OnDataSm(DataSm data)
    {
        if (_mode is null or BindMode.Receiver)
        {
            Reply(data.CreateResponse(CommandStatus.IncorrectBindStatus, string.Empty));
            return;
        }
        var (responseId, receiptId) = _simulator.NextMessageId();
        var content = data.Optional?.MessagePayload ?? ReadOnlyMemory<byte>.Empty;
        _simulator.Remember(new SimulatedMessage(responseId, SystemId, data.Source, data.Destination, data.DataCoding, data.EsmClass, content, data.Optional));
        if ((data.RegisteredDelivery & 0x03) != 0)
        {
            var asSubmit = new SubmitSm { Source = data.Source, Destination = data.Destination };
            _simulator.ScheduleReceipt(_simulator.CreateReceipt(receiptId, SystemId, asSubmit, responseId), this);
        }
        Respond(data.CreateResponse(CommandStatus.Ok, responseId));
    }

    private void OnQuery(QuerySm query)
    {
        var known = _simulator.Find(query.MessageId);
        Reply(known is null
            ? new QuerySmResp { SequenceNumber = query.SequenceNumber, Status = CommandStatus.QueryFailed }
            : new QuerySmResp { SequenceNumber = query.SequenceNumber, MessageId = known.MessageId, MessageState = known.State });
    }

    private void Respond(Pdu response)
    {
        if (_options.ResponseLatency <= TimeSpan.Zero)
        {
            Reply(response);
            return;
        }
        _ = Task.Delay(_options.ResponseLatency).ContinueWith(_ => Reply(response), TaskScheduler.Default);
    }

    private void Reply(Pdu response)
    {
        if (!_transport.TrySend(response)) _logger.LogDebug("Simulator: connection closed before {CommandId}", response.CommandId);
    }
}
