using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// One bind to an SMSC: a TCP connection, the bind handshake, a sliding window of outstanding
/// requests keyed by sequence number, enquire_link both ways and graceful unbind. Reconnecting
/// is the <see cref="SmppConnector"/>'s job: a session lives exactly as long as its connection.
/// Split by concern: .Window.cs (requests and responses), .Receive.cs (PDUs from the SMSC),
/// .EnquireLink.cs (keep-alive and response timeouts).
/// </summary>
public sealed partial class EsmeSession : IAsyncDisposable
{
    private readonly SmppConnectorOptions _options;
    private readonly BindMode _mode;
    private readonly Func<Pdu, ValueTask<DeliverOutcome>> _onDeliver;
    private readonly Func<Pdu, object, ValueTask>? _onLateResponse;
    private readonly ILogger _logger;
    private readonly RequestTracker _requests = new();
    private readonly SemaphoreSlim _window;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PduTransport _transport = null!;
    private volatile bool _bound;

    private EsmeSession(SmppConnectorOptions options, BindMode mode, Func<Pdu, ValueTask<DeliverOutcome>> onDeliver, Func<Pdu, object, ValueTask>? onLateResponse, ILogger logger)
    {
        _options = options;
        _mode = mode;
        _onDeliver = onDeliver;
        _onLateResponse = onLateResponse;
        _logger = logger;
        _window = new SemaphoreSlim(options.WindowSize);
    }

    public BindMode Mode => _mode;

    public bool CanSubmit => _bound && Mode != BindMode.Receiver;

    /// <summary>Completes when the connection has closed.</summary>
    public Task Completion => _completion.Task;

    public string? CloseReason => _transport.CloseReason;

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => _requests.Count;

    /// <summary>
    /// Connects and binds. Throws <see cref="SmppBindException"/> when the SMSC refuses,
    /// <see cref="SocketException"/> or <see cref="TimeoutException"/> when it cannot be reached.
    /// </summary>
    public static async Task<EsmeSession> ConnectAsync(
        SmppConnectorOptions options,
        BindMode mode,
        Func<Pdu, ValueTask<DeliverOutcome>> onDeliver,
        ILogger logger,
        CancellationToken cancellationToken,
        Func<Pdu, object, ValueTask>? onLateResponse = null)
    {
        var session = new EsmeSession(options, mode, onDeliver, onLateResponse, logger);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(options.Host, options.Port, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"SMPP connect to {options.Host}:{options.Port} timed out");
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        session._transport = new PduTransport(socket, options.MaxPduLength, options.WindowSize * 2 + 16, logger);
        session._transport.Closed.Register(session.OnClosed);
        session._transport.Start(session.OnFrameAsync);
        session.StartKeepAlive();
        try
        {
            await session.BindAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return session;
    }

    private async Task BindAsync(CancellationToken cancellationToken)
    {
        var bind = new Bind
        {
            Mode = _mode,
            SystemId = _options.SystemId,
            Password = _options.Password,
            SystemType = _options.SystemType,
        };
        var result = await SendRequestAsync(bind, cancellationToken).ConfigureAwait(false);
        if (result.Response is BindResp { Status: CommandStatus.Ok })
        {
            _bound = true;
            _logger.LogInformation("SMPP {Provider}: bound as {Mode}", _options.Name, _mode);
            return;
        }
        var status = result.Response?.Status ?? CommandStatus.BindFailed;
        throw new SmppBindException(status, result.IsResponse
            ? $"SMSC refused bind_{_mode.ToString().ToLowerInvariant()}: {status}"
            : $"No bind response: {result.Failure}");
    }

    /// <summary>
    /// Graceful unbind (spec 4.2): stop taking new requests, let the window drain, send unbind,
    /// wait for unbind_resp and close.
    /// </summary>
    public async Task UnbindAsync(TimeSpan timeout)
    {
        if (!_transport.IsOpen) return;
        _bound = false;
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (_requests.Count > 0 && Environment.TickCount64 < deadline && _transport.IsOpen)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        var unbind = new Unbind { SequenceNumber = _requests.NextSequence() };
        var response = _requests.Register(unbind.SequenceNumber);
        if (await _transport.SendAsync(unbind).ConfigureAwait(false))
        {
            await Task.WhenAny(response, Task.Delay(Math.Max(1, (int)(deadline - Environment.TickCount64)))).ConfigureAwait(false);
        }
        await _transport.CloseAfterFlushAsync("unbound", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }

    /// <summary>Drops the connection without unbinding (tests, shutdown on a dead link).</summary>
    public void Abort(string reason) => _transport.Abort(reason);

    private void OnClosed()
    {
        _bound = false;
        // Everything still outstanding may or may not have reached the SMSC.
        _requests.FailAll(RequestFailure.ConnectionLost);
        // Wake window waiters; they see the session is gone and go elsewhere.
        _window.Release(_options.WindowSize + 1024);
        _ = _transport.Completion.ContinueWith(_ => _completion.TrySetResult(), TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        _transport.Abort("disposed");
        await Completion.ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}
