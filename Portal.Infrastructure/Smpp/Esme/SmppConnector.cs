using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Infrastructure.Smpp.Receipts;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// Everything Portal needs to send through one SMPP provider: N binds kept up with exponential
/// back-off, adaptive rate control under a TPS cap in parts (ADR 0005), long-message splitting per the
/// provider's method, receipt matching, and a stream of inbound receipts and MO messages.
/// <code>
/// await using var connector = new SmppConnector(options, logger);
/// await connector.StartAsync(ct);
/// var outcome = await connector.SubmitAsync(new SmsSubmission(id, "Portal", "79991234567", text), ct);
/// await foreach (var inbound in connector.Inbound.ReadAllAsync(ct)) { ... }
/// </code>
/// Split by concern: .Submit.cs (sending), .Inbound.cs (receipts and MO).
/// </summary>
public sealed partial class SmppConnector : IAsyncDisposable
{
    private readonly SmppConnectorOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sessionsLock = new();
    private readonly List<Task> _bindLoops = [];
    private volatile EsmeSession[] _sessions = [];
    private volatile EsmeSession[] _submitters = [];
    private TaskCompletionSource _sessionsChanged = NewSignal();
    private bool _started;

    public SmppConnector(SmppConnectorOptions options, ILogger<SmppConnector>? logger = null)
    {
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _rate = new AdaptiveRate(options.MaxPartsPerSecond);
        // An unknown id is held only as long as a receipt can overtake its submit_sm_resp (the response
        // timeout). Issue 12: held for the late-response retention (5 min) as before, every receipt of a
        // message sent by a previous process (a restart) or by another node sat in memory for minutes
        // before the database path (MessageParts) could apply it. Receipts overtaking a *late*
        // response go that way too: its id is recorded, then the receipt applies from the queue or as
        // an orphan.
        // Unknown receipts go to the store after the response timeout (restart, another node); what went
        // is remembered as long as a late response can still register its id, so copies stay duplicates.
        _matcher = new ReceiptMatcher<PartReference>(options.MessageIdMatching, options.ReceiptRetention, options.ResponseTimeout,
            releasedRetention: options.ResponseTimeout + options.LateResponseRetention);
        _inbound = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(options.InboundCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
        });
    }

    public SmppConnectorOptions Options => _options;

    public SmppConnectorStatistics Statistics { get; } = new();

    /// <summary>Binds currently up.</summary>
    public int BoundSessions => _sessions.Length;

    /// <summary>submit_sm per second the connector currently paces at; +infinity while unpaced (never throttled, no cap).</summary>
    public double PacingRate => _rate.Rate;

    /// <summary>Requests sent and not yet answered over all binds (the dashboard's "window in use").</summary>
    public int WindowInUse => _sessions.Sum(s => s.Outstanding);

    /// <summary>Starts the bind loops; binds come up in the background (see <see cref="WaitForBindsAsync"/>).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_sessionsLock)
        {
            if (_started) return Task.CompletedTask;
            _started = true;
            for (var i = 0; i < _options.Binds; i++) _bindLoops.Add(RunBindLoopAsync(i, _options.BindMode));
            for (var i = 0; i < _options.ReceiverBinds; i++) _bindLoops.Add(RunBindLoopAsync(_options.Binds + i, Pdus.BindMode.Receiver));
            _bindLoops.Add(RunReceiptSweepAsync());
            if (_options.OutbindPort > 0) _bindLoops.Add(StartOutbindListener());
        }
        return Task.CompletedTask;
    }

    /// <summary>Waits until at least <paramref name="count"/> binds are up; false on timeout.</summary>
    public async Task<bool> WaitForBindsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            // Take the signal before testing, so a change in between is not missed.
            var changed = _sessionsChanged.Task;
            if (_sessions.Length >= count) return true;
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0) return false;
            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(remaining), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return _sessions.Length >= count;
            }
        }
    }

    /// <summary>Unbinds every session gracefully (their windows drain first) and stops reconnecting.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        var sessions = _sessions;
        await Task.WhenAll(sessions.Select(s => s.UnbindAsync(_options.UnbindTimeout))).WaitAsync(cancellationToken).ConfigureAwait(false);
        Task[] loops;
        lock (_sessionsLock) loops = [.. _bindLoops];
        await Task.WhenAll(loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        _inbound.Writer.TryComplete();
    }

    /// <summary>Drops every connection without unbinding; the bind loops reconnect (tests, fault drills).</summary>
    public void DropConnections()
    {
        foreach (var session in _sessions) session.Abort("dropped on request");
    }

    private async Task RunBindLoopAsync(int slot, Pdus.BindMode mode)
    {
        await Task.Yield();
        var stop = _stop.Token;
        var delay = _options.ReconnectDelay;
        while (!stop.IsCancellationRequested)
        {
            EsmeSession? session = null;
            try
            {
                session = await EsmeSession.ConnectAsync(_options, mode, OnDeliverAsync, _logger, stop, OnLateResponseAsync).ConfigureAwait(false);
                Interlocked.Increment(ref Statistics.Binds);
                delay = _options.ReconnectDelay;
                AddSession(session);
                await session.Completion.ConfigureAwait(false);
                if (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref Statistics.ConnectionsLost);
                    _logger.LogWarning("SMPP {Provider}: bind {Slot} lost: {Reason}", _options.Name, slot, session.CloseReason);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (SmppBindException e)
            {
                Interlocked.Increment(ref Statistics.BindFailures);
                _logger.LogWarning("SMPP {Provider}: bind {Slot} refused: {Status}", _options.Name, slot, e.Status);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref Statistics.BindFailures);
                _logger.LogWarning("SMPP {Provider}: bind {Slot} failed to connect: {Error}", _options.Name, slot, e.Message);
            }
            finally
            {
                if (session is not null)
                {
                    RemoveSession(session);
                    await session.DisposeAsync().ConfigureAwait(false);
                }
            }
            if (stop.IsCancellationRequested) break;
            try
            {
                // Jitter keeps many binds (and many nodes) from reconnecting in lock-step.
                var jittered = delay * (0.8 + Random.Shared.NextDouble() * 0.4);
                await Task.Delay(jittered, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    private void AddSession(EsmeSession session)
    {
        lock (_sessionsLock)
        {
            _sessions = [.. _sessions, session];
            _submitters = [.. _sessions.Where(s => s.Mode != Pdus.BindMode.Receiver)];
            SignalSessionsChanged();
        }
    }

    private void RemoveSession(EsmeSession session)
    {
        lock (_sessionsLock)
        {
            _sessions = [.. _sessions.Where(s => s != session)];
            _submitters = [.. _sessions.Where(s => s.Mode != Pdus.BindMode.Receiver)];
            SignalSessionsChanged();
        }
    }

    private void SignalSessionsChanged()
    {
        var previous = _sessionsChanged;
        _sessionsChanged = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().WaitAsync(_options.UnbindTimeout + TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            DropConnections();
        }
        _stop.Dispose();
    }
}
