using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Transport;

/// <summary>
/// One SMPP TCP connection, used by both the ESME session and the SMSC simulator: a read loop on a
/// <see cref="PipeReader"/> that frames PDUs and hands them to a handler, and a single write loop
/// fed by a bounded <see cref="Channel{T}"/> that serialises PDUs straight into the
/// <see cref="PipeWriter"/>'s buffer and flushes once per batch (when the queue runs dry or 32 KiB
/// are pending), so a full window costs one syscall instead of one per PDU.
/// </summary>
internal sealed class PduTransport : IAsyncDisposable
{
    private const int FlushThreshold = 32 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<Pdu> _outbox;
    private readonly int _maxPduLength;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writeLoop;
    private int _closing;

    public PduTransport(Socket socket, int maxPduLength, int outboxCapacity, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _outbox = Channel.CreateBounded<Pdu>(new BoundedChannelOptions(outboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _maxPduLength = maxPduLength;
        _logger = logger;
    }

    /// <summary>Cancelled when the connection is going down for any reason.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsOpen => !_closed.IsCancellationRequested;

    /// <summary>Completes when both loops have ended and the socket is closed.</summary>
    public Task Completion => _completion.Task;

    public string? CloseReason { get; private set; }

    /// <summary>Starts the loops. <paramref name="onFrame"/> runs on the read loop, one frame at a time.</summary>
    public void Start(Func<PduFrame, ValueTask> onFrame)
    {
        _writeLoop = WriteLoopAsync();
        _ = RunAsync(onFrame);
    }

    /// <summary>Queues a PDU; waits when the outbox is full. False when the connection is closed.</summary>
    public ValueTask<bool> SendAsync(Pdu pdu, CancellationToken cancellationToken = default)
    {
        if (_outbox.Writer.TryWrite(pdu)) return ValueTask.FromResult(true);
        return SendSlowAsync(pdu, cancellationToken);
    }

    private async ValueTask<bool> SendSlowAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        try
        {
            while (await _outbox.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_outbox.Writer.TryWrite(pdu)) return true;
            }
        }
        catch (ChannelClosedException)
        {
        }
        return false;
    }

    /// <summary>Queues a PDU without waiting; responses use this so the read loop never blocks on a full outbox.</summary>
    public bool TrySend(Pdu pdu) => _outbox.Writer.TryWrite(pdu) || TrySendSlow(pdu);

    private bool TrySendSlow(Pdu pdu)
    {
        if (!IsOpen) return false;
        _ = SendAsync(pdu, _closed.Token).AsTask();
        return true;
    }

    /// <summary>Writes what is queued, then closes (used after unbind / unbind_resp).</summary>
    public async Task CloseAfterFlushAsync(string reason, TimeSpan timeout)
    {
        CloseReason ??= reason;
        _outbox.Writer.TryComplete();
        if (_writeLoop is not null)
        {
            await Task.WhenAny(_writeLoop, Task.Delay(timeout)).ConfigureAwait(false);
        }
        Abort(reason);
    }

    /// <summary>Closes at once; queued PDUs are dropped.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1) return;
        CloseReason ??= reason;
        _outbox.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (AggregateException)
        {
            // a Closed callback threw; the connection is still going down
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    private async Task RunAsync(Func<PduFrame, ValueTask> onFrame)
    {
        try
        {
            await ReadLoopAsync(onFrame).ConfigureAwait(false);
            CloseReason ??= "peer closed the connection";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            CloseReason ??= "connection lost: " + e.GetType().Name;
        }
        catch (Exception e)
        {
            // A handler bug must not take the process down; it ends this connection only.
            _logger.LogError(e, "SMPP read loop failed");
            CloseReason ??= "read loop failed: " + e.GetType().Name;
        }
        Abort(CloseReason ?? "closed");
        try
        {
            if (_writeLoop is not null) await _writeLoop.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "SMPP write loop ended with an error");
        }
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _completion.TrySetResult();
    }

    private async Task ReadLoopAsync(Func<PduFrame, ValueTask> onFrame)
    {
        var token = _closed.Token;
        while (true)
        {
            var result = await _reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            // Once closed (by a handler, a fault or the other loop) nothing more is processed: any
            // answer could not be sent, and acting on it would diverge from what the peer saw.
            while (!token.IsCancellationRequested)
            {
                var status = PduCodec.TryRead(ref buffer, _maxPduLength, out var frame);
                if (status == PduReadStatus.Incomplete) break;
                if (status == PduReadStatus.InvalidLength)
                {
                    // The stream cannot be re-framed: tell the peer, then close (spec 4.3.1).
                    _logger.LogWarning("SMPP peer sent command_length outside 16..{Max}; closing", _maxPduLength);
                    TrySend(new GenericNack { Status = CommandStatus.InvalidCommandLength, SequenceNumber = frame.SequenceNumber });
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    await CloseAfterFlushAsync("invalid command_length", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                    return;
                }
                await onFrame(frame).ConfigureAwait(false);
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled) return;
        }
    }

    private async Task WriteLoopAsync()
    {
        var outbox = _outbox.Reader;
        try
        {
            while (await outbox.WaitToReadAsync().ConfigureAwait(false))
            {
                while (outbox.TryRead(out var pdu))
                {
                    var length = pdu.Length;
                    var span = _writer.GetSpan(length);
                    pdu.WriteTo(span);
                    _writer.Advance(length);
                    if (_writer.UnflushedBytes >= FlushThreshold)
                    {
                        var flush = await _writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                        if (flush.IsCompleted) return;
                    }
                }
                if (_writer.UnflushedBytes > 0)
                {
                    var flush = await _writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                    if (flush.IsCompleted) return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            CloseReason ??= "write failed: " + e.GetType().Name;
        }
        finally
        {
            Abort(CloseReason ?? "write loop ended");
            try
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort("disposed");
        await Completion.ConfigureAwait(false);
        _closed.Dispose();
    }
}
