using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Transport;

namespace Portal.Infrastructure.Smpp.Esme;

public sealed partial class EsmeSession
{
    private int _enquireOutstanding;

    /// <summary>
    /// One timer loop per session: expires requests past the response timeout (they become
    /// uncertain, never silently resent) and sends enquire_link when the link has been quiet
    /// (spec 4.11). An unanswered enquire_link means a dead link: the connection is dropped.
    /// </summary>
    private void StartKeepAlive()
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_options.ResponseTimeout.TotalMilliseconds / 5, 10, 1000));
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(tick);
            try
            {
                while (await timer.WaitForNextTickAsync(_transport.Closed).ConfigureAwait(false))
                {
                    var expired = _requests.ExpireOlderThan(_options.ResponseTimeout, _options.LateResponseRetention);
                    if (expired > 0) _logger.LogWarning("SMPP {Provider}: {Count} requests timed out", _options.Name, expired);
                    var idle = Environment.TickCount64 - _lastReceived;
                    if (_bound && idle >= _options.EnquireLinkInterval.TotalMilliseconds && Interlocked.Exchange(ref _enquireOutstanding, 1) == 0)
                    {
                        _ = EnquireLinkAsync();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private async Task EnquireLinkAsync()
    {
        try
        {
            var result = await SendRequestAsync(new EnquireLink(), CancellationToken.None).ConfigureAwait(false);
            if (result.Failure == RequestFailure.Timeout)
            {
                _logger.LogWarning("SMPP {Provider}: enquire_link unanswered, dropping the connection", _options.Name);
                _transport.Abort("enquire_link timed out");
            }
        }
        finally
        {
            Volatile.Write(ref _enquireOutstanding, 0);
        }
    }
}
