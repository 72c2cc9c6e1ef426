using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class EsmeSession
{
    /// <summary>While an outbound connection waits for its first PDU: completes with it when it is outbind, null otherwise.</summary>
    private TaskCompletionSource<Outbind?>? _outbind;

    /// <summary>
    /// Outbind (SMPP 3.4 2.2.1, 4.1.7): the SMSC connected to us. The first PDU must be outbind with the
    /// provider's system_id and password; then this side binds as receiver on the same connection and
    /// the session works like any receiver bind (deliver_sm, enquire_link, unbind). Anything else
    /// closes the connection: throws <see cref="SmppBindException"/> (refused) or <see cref="TimeoutException"/>.
    /// </summary>
    public static async Task<EsmeSession> AcceptOutbindAsync(
        Socket socket,
        SmppConnectorOptions options,
        Func<Pdu, ValueTask<DeliverOutcome>> onDeliver,
        ILogger logger,
        CancellationToken cancellationToken,
        Func<Pdu, object, ValueTask>? onLateResponse = null)
    {
        var session = new EsmeSession(options, BindMode.Receiver, onDeliver, onLateResponse, logger)
        {
            _outbind = new TaskCompletionSource<Outbind?>(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        session._transport = new PduTransport(socket, options.MaxPduLength, options.WindowSize * 2 + 16, logger);
        session._transport.Closed.Register(() => session._outbind.TrySetResult(null));
        session._transport.Closed.Register(session.OnClosed);
        session._transport.Start(session.OnFrameAsync);
        try
        {
            Outbind? outbind;
            try
            {
                outbind = await session._outbind.Task.WaitAsync(options.ResponseTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no outbind within {options.ResponseTimeout.TotalSeconds:0.#} s");
            }
            if (outbind is null)
            {
                throw new SmppBindException(CommandStatus.InvalidCommandId, "the first PDU was not outbind");
            }
            if (!SameSecret(outbind.SystemId, options.SystemId))
            {
                throw new SmppBindException(CommandStatus.InvalidSystemId, "outbind with a wrong system_id");
            }
            if (!SameSecret(outbind.Password, options.Password))
            {
                throw new SmppBindException(CommandStatus.InvalidPassword, "outbind with a wrong password");
            }
            session.StartKeepAlive();
            await session.BindAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return session;
    }

    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    /// <summary>The first frame of an outbound connection: handed to <see cref="AcceptOutbindAsync"/>, never processed.</summary>
    private bool TakeOutbindFrame(PduFrame frame)
    {
        if (_outbind is not { Task.IsCompleted: false } pending) return false;
        pending.TrySetResult(frame.Status == PduReadStatus.Ok ? frame.Pdu as Outbind : null);
        return true;
    }
}
