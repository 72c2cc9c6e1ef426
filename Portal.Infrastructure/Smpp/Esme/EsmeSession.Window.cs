using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class EsmeSession
{
    /// <summary>Takes a window slot if one is free right now.</summary>
    public bool TryEnterWindow()
    {
        if (!CanSubmit || !_window.Wait(0)) return false;
        if (CanSubmit) return true;
        _window.Release();
        return false;
    }

    /// <summary>Waits for a window slot; false when the session closed meanwhile.</summary>
    public async ValueTask<bool> EnterWindowAsync(CancellationToken cancellationToken)
    {
        if (!CanSubmit) return false;
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (CanSubmit) return true;
        _window.Release();
        return false;
    }

    /// <summary>
    /// Sends a request inside a window slot the caller already holds (see <see cref="TryEnterWindow"/>)
    /// and releases the slot when the response, a timeout or the connection loss ends the request.
    /// </summary>
    /// <param name="lateState">
    /// When set and the request times out, a response that still arrives later is handed to the
    /// session's late-response callback with this state (the message becomes resolvable again).
    /// </param>
    public async Task<RequestResult> SendInWindowAsync(Pdu request, object? lateState = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendRequestAsync(request, cancellationToken, lateState).ConfigureAwait(false);
        }
        finally
        {
            _window.Release();
        }
    }

    /// <summary>Sends a request outside the window (bind, enquire_link, unbind) and awaits its response.</summary>
    private async Task<RequestResult> SendRequestAsync(Pdu request, CancellationToken cancellationToken, object? lateState = null)
    {
        var sequence = _requests.NextSequence();
        request.SequenceNumber = sequence;
        var response = _requests.Register(sequence, lateState);
        bool queued;
        try
        {
            queued = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _requests.Complete(sequence, new RequestResult(null, RequestFailure.NotSent));
            throw;
        }
        if (!queued) _requests.Complete(sequence, new RequestResult(null, RequestFailure.NotSent));
        // Once queued, the caller's token no longer applies: the PDU may be on the wire, so only
        // the response, the timeout or the connection loss may end the wait.
        return await response.ConfigureAwait(false);
    }
}
