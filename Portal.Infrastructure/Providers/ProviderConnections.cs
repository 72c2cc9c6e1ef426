using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Portal.Domain.Messages;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// One started <see cref="SmppConnector"/> per provider row, shared by every sender on the node;
/// each connector's receipts are pumped into the <see cref="IReceiptSink"/> (Sending's ReceiptForwarder) and its MO messages
/// into the <see cref="IMoSink"/> (Inbound's MoForwarder, when there is one). Cached by provider id and
/// <see cref="ProviderRuntime.Version"/>: a newer version (settings edited, or this node's share changed)
/// replaces the connector, the same version reuses it. HTTP providers get an <see cref="HttpSmsSender"/>
/// instead (ProviderConnections.Http.cs).
/// </summary>
public sealed partial class ProviderConnections(IReceiptSink receipts, ILoggerFactory loggers, IMoSink? mo = null, HttpProviderSenders? httpSenders = null, IEmbeddedSmsc? embedded = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, Lazy<Task<Connection>>> _connections = new();
    private readonly ILogger _logger = loggers.CreateLogger<ProviderConnections>();
    // Replaced connectors finishing what they hold (see RetireAsync); closed at once when this node stops.
    private readonly ConcurrentDictionary<SmppConnector, Task> _retiring = new();

    private sealed record Connection(long Version, SmppSmsSender Sender, Task Pump);

    /// <summary>
    /// The sender of <paramref name="runtime"/>'s provider: the cached one while it was built from this
    /// version (or a newer one: a caller holding an older snapshot never takes a newer connection down).
    /// </summary>
    internal async ValueTask<ISmsSender> GetAsync(ProviderRuntime runtime, CancellationToken ct)
    {
        if (HttpSenderOf(runtime) is { } http) return http;
        var providerId = runtime.ProviderId;
        while (true)
        {
            var lazy = _connections.GetOrAdd(providerId, _ => new Lazy<Task<Connection>>(() => ConnectAsync(runtime)));
            var connection = await lazy.Value.WaitAsync(ct);
            if (connection.Version >= runtime.Version) return connection.Sender;
            if (_connections.TryRemove(new KeyValuePair<int, Lazy<Task<Connection>>>(providerId, lazy)))
            {
                _retiring[connection.Sender.Connector] = RetireAsync(connection);
            }
        }
    }

    /// <summary>Connectors opened on this node so far, replacements included (tests count reconnections).</summary>
    internal int ConnectsStarted => Volatile.Read(ref _connectsStarted);

    private int _connectsStarted;

    /// <summary>How long a replaced connector may take to finish the submissions it holds before it is closed anyway.</summary>
    internal static TimeSpan RetireWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A replaced connector (settings edited, or this node's share of binds and rate changed when a
    /// node joined or left) finishes the messages it holds before it is closed; new ones already go to
    /// the new connector. Issue 12: closed at once, every long message between its parts (queued
    /// behind the SMSC's rate) was interrupted after part 1 and later re-sent whole, doubling part 1.
    /// </summary>
    private async Task RetireAsync(Connection connection)
    {
        var connector = connection.Sender.Connector;
        var deadline = Environment.TickCount64 + (long)RetireWait.TotalMilliseconds;
        try
        {
            while (connector.SubmissionsInProgress > 0 && Environment.TickCount64 < deadline && _retiring.ContainsKey(connector)) await Task.Delay(100);
            if (_retiring.TryRemove(connector, out _)) await connector.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning("Replaced provider connection did not close cleanly: {Error}", e.Message);
        }
    }

    private async Task<Connection> ConnectAsync(ProviderRuntime runtime)
    {
        Interlocked.Increment(ref _connectsStarted);
        var (providerId, name, settings) = (runtime.ProviderId, runtime.Name, runtime.Settings);
        var options = settings.ToConnectorOptions(name);
        if (options.Host == EmbeddedSmscRow.Host)
        {
            // The shared row means "this node's own simulator" (issue 13).
            var own = embedded?.Endpoint ?? throw new InvalidOperationException("The built-in simulator does not run on this node (Sending:EmbeddedSimulator=false).");
            options.Host = own.Address.ToString();
            options.Port = own.Port;
        }
        // Receipts and replies are answered to the SMSC only once on the bus (issue 13).
        options.DurableAcknowledgements = true;
        var connector = new SmppConnector(options, loggers.CreateLogger<SmppConnector>());
        await connector.StartAsync();
        await connector.WaitForBindsAsync(1, TimeSpan.FromSeconds(10));
        _logger.LogInformation("SMPP provider {Provider} connected: {Binds} bind(s)", name, connector.BoundSessions);
        return new Connection(runtime.Version, new SmppSmsSender(connector, settings.SupportsFlash), PumpAsync(providerId, connector));
    }

    private async Task PumpAsync(int providerId, SmppConnector connector)
    {
        try
        {
            await foreach (var inbound in connector.Inbound.ReadAllAsync())
            {
                if (inbound is MoMessageReceived message)
                {
                    try
                    {
                        await ForwardMoAsync(providerId, message);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Issue 13 (found by the chaos stage): a reply arriving while the broker restarted
                        // threw out of this loop, and every later receipt and reply of the connection was
                        // left unanswered for good. The reply is refused instead: the SMSC delivers it again.
                        _logger.LogWarning("Forwarding a reply from provider {ProviderId} failed; refused, the SMSC delivers it again: {Error}", providerId, e.Message);
                        message.Refuse();
                    }
                    continue;
                }
                if (inbound is not ReceiptReceived r || ToStatus(r.Receipt.State) is not { } status)
                {
                    // Intermediate states (enroute, accepted) and late submit responses: nothing to keep.
                    inbound.Acknowledge();
                    continue;
                }
                long? messageId = long.TryParse(r.Reference, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
                var error = status == MessageStatus.Delivered ? null : r.Receipt.ErrorCode ?? r.Receipt.State.ToString();
                // Part index and count come from the connector's in-memory match; an unmatched receipt
                // (null) is treated as a one-part message's and takes the database path (ReceiptProcessor).
                // Delivery time is Portal's clock when the receipt arrived; the SMSC's done date (its own
                // clock and zone) is kept for reference only (issue 12).
                await receipts.WriteAsync(new ReceiptItem(messageId, providerId, r.NormalizedMessageId, status, error, DateTime.UtcNow,
                    messageId is null ? 0 : r.PartIndex ?? 0, messageId is null ? 1 : r.PartCount ?? 1,
                    r.Receipt.DoneDate is { } smsc ? DateTime.SpecifyKind(smsc, DateTimeKind.Utc) : null, messageId is null ? null : r.PartPrice), r);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Receipt pump of provider {ProviderId} stopped", providerId);
        }
    }

    /// <summary>Replies from clients go to the inbound queue (reassembled there); without a forwarder they are dropped, as before issue 7.</summary>
    private async ValueTask ForwardMoAsync(int providerId, MoMessageReceived message)
    {
        if (mo is not null) await mo.AcceptAsync(providerId, message);
        // No forwarder (a bare test setup): refuse, so the SMSC keeps the reply instead of it being dropped.
        else message.Refuse();
    }

    /// <summary>The connectors up on this node (the dashboard publishes their statistics).</summary>
    public IReadOnlyList<(int ProviderId, SmppConnector Connector)> Connected() =>
        _connections.Where(c => c.Value.IsValueCreated && c.Value.Value.IsCompletedSuccessfully)
            .Select(c => (c.Key, c.Value.Value.Result.Sender.Connector))
            .ToList();

    internal static MessageStatus? ToStatus(MessageState state) => state switch
    {
        MessageState.Delivered => MessageStatus.Delivered,
        MessageState.Expired => MessageStatus.Expired,
        MessageState.Undeliverable or MessageState.Deleted => MessageStatus.Undeliverable,
        MessageState.Rejected => MessageStatus.Rejected,
        MessageState.Unknown => MessageStatus.Unknown,
        MessageState.Scheduled or MessageState.Enroute or MessageState.Accepted => null,
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var connector in _retiring.Keys)
        {
            if (!_retiring.TryRemove(connector, out _)) continue;
            try
            {
                await connector.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning("Replaced provider connection did not close cleanly: {Error}", e.Message);
            }
        }
        foreach (var lazy in _connections.Values)
        {
            if (!lazy.IsValueCreated) continue;
            try
            {
                var connection = await lazy.Value;
                await connection.Sender.Connector.DisposeAsync();
                await connection.Pump.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning("Provider connection did not close cleanly: {Error}", e.Message);
            }
        }
        _connections.Clear();
    }
}
