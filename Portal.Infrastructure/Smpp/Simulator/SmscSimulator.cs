using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Simulator;

/// <summary>
/// An SMSC on the same codec as the ESME: binds with configured credentials, accepts submit_sm /
/// data_sm, answers query_sm, sends receipts with a configurable outcome mix and delay, delivers
/// MO messages on demand and injects faults. Serves the embedded default (loopback), the training
/// sandbox, tests and benchmarks. Split: .Receipts.cs (receipt scheduling), SmscConnection.cs.
/// </summary>
public sealed partial class SmscSimulator : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SmscConnection, byte> _connections = new();
    private readonly ConcurrentDictionary<string, SimulatedMessage> _messages = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _messageCounter;
    private int _moReference;
    private long _requestCounter;

    public SmscSimulator(SmscSimulatorOptions? options = null, ILogger<SmscSimulator>? logger = null)
    {
        Options = options ?? new SmscSimulatorOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _random = Options.Seed is { } seed ? new Random(seed) : new Random();
    }

    public SmscSimulatorOptions Options { get; }

    public SmscSimulatorStatistics Statistics { get; } = new();

    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Accepted messages (with <see cref="SmscSimulatorOptions.KeepMessages"/>).</summary>
    public IReadOnlyCollection<SimulatedMessage> Messages => [.. _messages.Values];

    /// <summary>Sessions currently bound.</summary>
    public int BoundSessions => _connections.Keys.Count(c => c.IsBound);

    public Task<IPEndPoint> StartAsync(CancellationToken cancellationToken = default)
    {
        var listener = new Socket(Options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(Options.Address, Options.Port));
        listener.Listen(512);
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(listener);
        _receiptLoop = ReceiptLoopAsync();
        return Task.FromResult(EndPoint);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            var connection = new SmscConnection(this, socket, _logger);
            _connections[connection] = 0;
            connection.Start();
            _ = connection.Completion.ContinueWith(_ => _connections.TryRemove(connection, out byte _), TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Outbind (SMPP 3.4 2.2.1): connects to an ESME listening at <paramref name="esme"/>, sends outbind
    /// with <paramref name="systemId"/> and <paramref name="password"/> and then serves that connection
    /// as the SMSC: the ESME's bind_receiver is checked against the credentials like any bind, and
    /// receipts and MO held for the system go out on it once bound. Completes when the outbind is sent;
    /// <see cref="BoundSessions"/> tells when the ESME has bound.
    /// </summary>
    public async Task OutbindAsync(IPEndPoint esme, string systemId, string password, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(esme.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(esme, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new SmscConnection(this, socket, _logger);
        _connections[connection] = 0;
        connection.Start();
        _ = connection.Completion.ContinueWith(_ => _connections.TryRemove(connection, out byte _), TaskScheduler.Default);
        await connection.SendOutbindAsync(systemId, password, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connections open right now (bound or not).</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>
    /// Sends a mobile-originated message to a bound receiver/transceiver (of <paramref name="systemId"/>
    /// when given), split with UDH when long. Returns the deliver_sm_resp status (the first failure).
    /// </summary>
    public async Task<CommandStatus> InjectMoAsync(string from, string to, string text, string? systemId = null, CancellationToken cancellationToken = default)
    {
        var connection = FindReceiver(systemId, preferred: null)
            ?? throw new InvalidOperationException("No receiver or transceiver is bound to the simulator");
        var message = SegmentedMessage.Create(text);
        var reference = (byte)Interlocked.Increment(ref _moReference);
        var total = (byte)message.Parts.Count;
        var results = new List<Task<Transport.RequestResult>>();
        for (var i = 0; i < total; i++)
        {
            var deliver = new DeliverSm
            {
                Source = new SmeAddress(1, 1, from.TrimStart('+')),
                Destination = AddressOf(to),
                DataCoding = message.DataCoding,
            };
            if (total == 1)
            {
                deliver.ShortMessage = message.Payload;
            }
            else
            {
                var userData = new byte[ConcatenationInfo.UdhLength + message.Parts[i].Length];
                new ConcatenationInfo(reference, total, (byte)(i + 1)).WriteUdh(userData);
                message.Parts[i].Span.CopyTo(userData.AsSpan(ConcatenationInfo.UdhLength));
                deliver.ShortMessage = userData;
                deliver.EsmClass = EsmClass.UdhIndicator;
            }
            Interlocked.Increment(ref Statistics.MoSent);
            results.Add(connection.SendRequestAsync(deliver, cancellationToken));
        }
        foreach (var result in await Task.WhenAll(results).ConfigureAwait(false))
        {
            if (!result.IsResponse) return CommandStatus.DeliveryFailure;
            if (result.Status != CommandStatus.Ok) return result.Status;
        }
        return CommandStatus.Ok;
    }

    /// <summary>
    /// Like a real SMSC's store-and-forward of a mobile-originated message: delivers it (as
    /// <see cref="InjectMoAsync"/>) again and again, on whichever receiver is bound, until the ESME
    /// acknowledges it with ESME_ROK or <paramref name="cancellationToken"/> fires. A connection lost
    /// before the deliver_sm_resp, or ESME_RX_T_APPN, means "later", never "gone".
    /// </summary>
    public async Task<int> DeliverMoUntilAcknowledgedAsync(string from, string to, string text, string? systemId = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (FindReceiver(systemId, preferred: null) is not null
                    && await InjectMoAsync(from, to, text, systemId, cancellationToken).ConfigureAwait(false) == CommandStatus.Ok)
                {
                    return attempt;
                }
            }
            catch (InvalidOperationException)
            {
                // The receiver went between the lookup and the send: wait for the next bind.
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends unbind to every bound ESME (a maintenance window) and waits for the responses.</summary>
    public Task UnbindAllAsync() => Task.WhenAll(_connections.Keys.Where(c => c.IsBound).Select(c => c.UnbindAsync()));

    /// <summary>Drops every connection without unbind.</summary>
    public void DropAll()
    {
        foreach (var connection in _connections.Keys) connection.Abort("dropped on request");
    }

    private static SmeAddress AddressOf(string value) =>
        value.TrimStart('+').All(char.IsAsciiDigit) ? new SmeAddress(1, 1, value.TrimStart('+')) : new SmeAddress(5, 0, value);

    internal SmscConnection? FindReceiver(string? systemId, SmscConnection? preferred)
    {
        if (preferred is { CanReceive: true }) return preferred;
        foreach (var connection in _connections.Keys)
        {
            if (connection.CanReceive && (systemId is null || connection.SystemId == systemId)) return connection;
        }
        return null;
    }

    internal CommandStatus Authenticate(string systemId, string password)
    {
        if (Options.Credentials.Count == 0) return CommandStatus.Ok;
        if (!Options.Credentials.TryGetValue(systemId, out var expected)) return CommandStatus.InvalidSystemId;
        return expected == password ? CommandStatus.Ok : CommandStatus.InvalidPassword;
    }

    private readonly Lock _bucketLock = new();
    private double _bucketTokens = double.NaN;
    private long _bucketAt;

    /// <summary>Takes one token of the contracted-rate bucket (see <see cref="SmscFaults.ContractedRate"/>); false = over the rate.</summary>
    internal bool TakeContracted(int rate, double burst)
    {
        lock (_bucketLock)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            var depth = Math.Max(1, rate * burst);
            if (double.IsNaN(_bucketTokens)) _bucketTokens = depth;
            else _bucketTokens = Math.Min(depth, _bucketTokens + rate * (double)(now - _bucketAt) / System.Diagnostics.Stopwatch.Frequency);
            _bucketAt = now;
            if (_bucketTokens < 1) return false;
            _bucketTokens -= 1;
            return true;
        }
    }

    internal double Roll()
    {
        lock (_randomLock) return _random.NextDouble();
    }

    /// <summary>True when this request should be answered by dropping the connection (fault injection).</summary>
    internal bool ShouldDrop()
    {
        var every = Options.Faults.DropConnectionEveryPdus;
        return every > 0 && Interlocked.Increment(ref _requestCounter) % every == 0;
    }

    internal (string ResponseId, string ReceiptId) NextMessageId()
    {
        var n = Interlocked.Increment(ref _messageCounter);
        return (Format(n, Options.MessageIdFormat), Format(n, Options.ReceiptIdFormat));
    }

    private static string Format(long n, MessageIdRadix radix) => radix switch
    {
        MessageIdRadix.Decimal => n.ToString(CultureInfo.InvariantCulture),
        MessageIdRadix.Hex => n.ToString("X8", CultureInfo.InvariantCulture),
        MessageIdRadix.Text => "SIM-" + n.ToString(CultureInfo.InvariantCulture),
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    internal void Remember(SimulatedMessage message)
    {
        if (Options.KeepMessages) _messages[message.MessageId] = message;
    }

    /// <summary>Sends <see cref="SmscSimulatorOptions.AutoReply"/>'s answer, if any, back to the sender (see there).</summary>
    internal void ScheduleReply(Func<string, string, string?> autoReply, string destination, string source, string text, string systemId)
    {
        var phone = "+" + destination.TrimStart('+');
        string? answer;
        try
        {
            answer = autoReply(phone, text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning("Simulator auto-reply rule failed: {Error}", e.Message);
            return;
        }
        if (answer is null) return;
        var stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(Options.ReplyDelay, stop).ConfigureAwait(false);
                await DeliverMoUntilAcknowledgedAsync(phone, source, answer, systemId, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }, stop);
    }

    internal SimulatedMessage? Find(string messageId) => _messages.GetValueOrDefault(messageId);

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        foreach (var connection in _connections.Keys) connection.Abort("simulator stopped");
        await Task.WhenAll(_connections.Keys.Select(c => c.Completion)).ConfigureAwait(false);
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        if (_receiptLoop is not null) await _receiptLoop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
