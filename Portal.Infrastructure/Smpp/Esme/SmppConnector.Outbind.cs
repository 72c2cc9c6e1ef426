using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class SmppConnector
{
    private readonly ConcurrentDictionary<Task, byte> _outbindConnections = new();

    /// <summary>Where this node listens for the provider's outbind (null when <see cref="SmppConnectorOptions.OutbindPort"/> is 0).</summary>
    public IPEndPoint? OutbindEndPoint { get; private set; }

    /// <summary>Binds the outbind listener (so a port in use fails the start) and returns its accept loop.</summary>
    private Task StartOutbindListener()
    {
        var address = IPAddress.Parse(_options.OutbindAddress);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, _options.OutbindPort));
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        OutbindEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _stop.Token.Register(listener.Dispose);
        _logger.LogInformation("SMPP {Provider}: listening for outbind on {EndPoint}", _options.Name, OutbindEndPoint);
        return RunOutbindAcceptLoopAsync(listener);
    }

    private async Task RunOutbindAcceptLoopAsync(Socket listener)
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stop.IsCancellationRequested) break;
                continue;
            }
            var connection = RunOutbindConnectionAsync(socket);
            _outbindConnections[connection] = 0;
            _ = connection.ContinueWith(t => _outbindConnections.TryRemove(t, out _), TaskScheduler.Default);
        }
        await Task.WhenAll(_outbindConnections.Keys).ConfigureAwait(false);
    }

    /// <summary>One connection the SMSC opened: outbind checked, bind_receiver, then a receiver session like any other.</summary>
    private async Task RunOutbindConnectionAsync(Socket socket)
    {
        await Task.Yield();
        var stop = _stop.Token;
        var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "?";
        EsmeSession? session = null;
        try
        {
            session = await EsmeSession.AcceptOutbindAsync(socket, _options, OnDeliverAsync, _logger, stop, OnLateResponseAsync).ConfigureAwait(false);
            Interlocked.Increment(ref Statistics.Binds);
            _logger.LogInformation("SMPP {Provider}: outbind from {Remote} accepted, bound as receiver", _options.Name, remote);
            AddSession(session);
            await session.Completion.ConfigureAwait(false);
            if (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref Statistics.ConnectionsLost);
                _logger.LogWarning("SMPP {Provider}: outbind connection from {Remote} closed: {Reason}", _options.Name, remote, session.CloseReason);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (SmppBindException e)
        {
            Interlocked.Increment(ref Statistics.BindFailures);
            _logger.LogWarning("SMPP {Provider}: outbind connection from {Remote} refused and closed: {Reason}", _options.Name, remote, e.Message);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref Statistics.BindFailures);
            _logger.LogWarning("SMPP {Provider}: outbind connection from {Remote} closed: {Error}", _options.Name, remote, e.Message);
        }
        finally
        {
            if (session is not null)
            {
                RemoveSession(session);
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
