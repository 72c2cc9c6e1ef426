using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>A bare socket speaking PDUs one at a time, for tests that need exact control of the bytes.</summary>
internal sealed class RawEsme : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _filled;

    private RawEsme(Socket socket) => _socket = socket;

    /// <summary>Speaks PDUs over a socket accepted elsewhere (a test playing the SMSC).</summary>
    public static RawEsme Over(Socket socket) => new(socket);

    public static async Task<RawEsme> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        return new RawEsme(socket);
    }

    public Task SendAsync(Pdu pdu) => SendAsync(pdu.ToArray());

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>The next PDU, or null when the peer closed the connection or nothing came in time.</summary>
    public async Task<Pdu?> ReceiveAsync(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_buffer, 0, _filled);
            var status = PduCodec.TryRead(ref sequence, int.MaxValue, out var frame);
            if (status != PduReadStatus.Incomplete)
            {
                var consumed = _filled - (int)sequence.Length;
                Buffer.BlockCopy(_buffer, consumed, _buffer, 0, (int)sequence.Length);
                _filled = (int)sequence.Length;
                return frame.Pdu;
            }
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                return null;
            }
            if (read == 0) return null;
            _filled += read;
        }
    }

    public static async Task<MessageState?> QueryAsync(IPEndPoint endpoint, string messageId)
    {
        await using var esme = await ConnectAsync(endpoint);
        await esme.SendAsync(new Bind { Mode = BindMode.Transmitter, SystemId = "portal", Password = "secret", SequenceNumber = 1 });
        if (await esme.ReceiveAsync() is not BindResp { Status: CommandStatus.Ok }) return null;
        await esme.SendAsync(new QuerySm { MessageId = messageId, SequenceNumber = 2 });
        return (await esme.ReceiveAsync() as QuerySmResp)?.MessageState;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
