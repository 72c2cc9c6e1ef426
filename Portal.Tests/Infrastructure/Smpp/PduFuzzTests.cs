using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>
/// Issue 3 item 7: mutated PDUs never make a decoder throw. 100,000 go through the codec both
/// ESME and simulator use; mutated streams then go over TCP into the simulator's and the ESME's
/// read loops, which must answer or close but never fail, and keep serving afterwards.
/// </summary>
public class PduFuzzTests
{
    private static Pdu[] Corpus() =>
    [
        new Bind { Mode = BindMode.Transceiver, SystemId = "portal", Password = "secret", SequenceNumber = 1 },
        new BindResp { Mode = BindMode.Transmitter, SystemId = "smsc", Optional = new OptionalParameters { ScInterfaceVersion = 0x34 }, SequenceNumber = 1 },
        new Outbind { SystemId = "smsc", Password = "pw" },
        new Unbind { SequenceNumber = 2 }, new UnbindResp { SequenceNumber = 2 },
        new EnquireLink { SequenceNumber = 3 }, new EnquireLinkResp { SequenceNumber = 3 },
        new GenericNack { Status = CommandStatus.InvalidCommandId, SequenceNumber = 4 },
        new SubmitSm
        {
            SequenceNumber = 5, Source = new SmeAddress(5, 0, "Portal"), Destination = new SmeAddress(1, 1, "79990001122"),
            EsmClass = EsmClass.UdhIndicator, DataCoding = 8, RegisteredDelivery = 1,
            ShortMessage = new byte[] { 5, 0, 3, 1, 2, 1, 0x04, 0x1F, 0x04, 0x40 },
            Optional = new OptionalParameters { SarMsgRefNum = 1, SarTotalSegments = 2, SarSegmentSeqnum = 1, UserMessageReference = 7 },
        },
        new SubmitSmResp { MessageId = "0000ABCD", SequenceNumber = 5 },
        new DeliverSm
        {
            SequenceNumber = 6, EsmClass = EsmClass.DeliveryReceipt,
            ShortMessage = "id:0000ABCD sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:DELIVRD err:000 text:"u8.ToArray(),
            Optional = new OptionalParameters { ReceiptedMessageId = "0000ABCD", MessageState = MessageState.Delivered, NetworkErrorCode = new NetworkError(3, 1) },
        },
        new DeliverSm { SequenceNumber = 7, Source = new SmeAddress(1, 1, "79990001122"), ShortMessage = "Hi there"u8.ToArray() },
        new DeliverSmResp { SequenceNumber = 6 },
        new DataSm { SequenceNumber = 8, Source = new SmeAddress(1, 1, "1"), Optional = new OptionalParameters { MessagePayload = new byte[40] } },
        new DataSmResp { MessageId = "x", SequenceNumber = 8 },
        new QuerySm { MessageId = "0000ABCD", SequenceNumber = 9 },
        new QuerySmResp { MessageId = "0000ABCD", FinalDate = "2611251200000+", MessageState = MessageState.Delivered, SequenceNumber = 9 },
    ];

    internal static byte[] Mutate(byte[] original, Random random, int breakFramingOneIn = 4)
    {
        var bytes = new List<byte>(original);
        var operations = random.Next(1, 4);
        for (var op = 0; op < operations && bytes.Count > 0; op++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes[at] = random.Next(2) == 0 ? (byte)0x00 : (byte)0xFF; break;
                case 3: bytes.RemoveRange(at, random.Next(bytes.Count - at + 1)); break;
                case 4: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))); break;
                case 5: if (bytes.Count >= 4) bytes[random.Next(4)] = (byte)random.Next(256); break;
                case 6: if (bytes.Count > 16) bytes[random.Next(16, bytes.Count)] = (byte)random.Next(256); break;
            }
        }
        var result = bytes.ToArray();
        // Mostly keep the framing honest so the body parsers, not just the length check, get the abuse.
        if (result.Length >= 4 && random.Next(breakFramingOneIn) != 0) BinaryPrimitives.WriteUInt32BigEndian(result, (uint)result.Length);
        return result;
    }

    [Fact]
    public void TryRead_100kMutatedPdus_NeverThrowsAndReencodesWhatItAccepts()
    {
        var random = new Random(20261125);
        var corpus = Corpus().Select(p => p.ToArray()).ToArray();
        var counts = new Dictionary<PduReadStatus, int>();

        for (var i = 0; i < 100_000; i++)
        {
            var bytes = Mutate(corpus[i % corpus.Length], random);
            var split = bytes.Length > 1 && i % 3 == 0 ? random.Next(1, bytes.Length) : 0;
            var buffer = split == 0 ? new ReadOnlySequence<byte>(bytes) : TwoSegments(bytes, split);
            for (var frames = 0; frames < 4; frames++)
            {
                var status = PduCodec.TryRead(ref buffer, PduCodec.DefaultMaxPduLength, out var frame);
                counts[status] = counts.GetValueOrDefault(status) + 1;
                if (status is PduReadStatus.Incomplete or PduReadStatus.InvalidLength) break;
                if (frame.Pdu is { } pdu) Assert.Equal(pdu.Length, pdu.ToArray().Length);
            }
        }

        // Every outcome was exercised, so the fuzzing reached framing and body parsing alike.
        foreach (var status in Enum.GetValues<PduReadStatus>()) Assert.True(counts.GetValueOrDefault(status) > 100, $"{status}: {counts.GetValueOrDefault(status)}");
    }

    [Fact]
    public async Task Simulator_MutatedPduStream_AnswersOrClosesAndKeepsServing()
    {
        var log = new ErrorLog();
        await using var simulator = new SmscSimulator(new SmscSimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(1) }, log.For<SmscSimulator>());
        var endpoint = await simulator.StartAsync();
        var random = new Random(7);
        var corpus = Corpus().Select(p => p.ToArray()).ToArray();
        var bind = new Bind { Mode = BindMode.Transceiver, SystemId = "fuzz", SequenceNumber = 1 }.ToArray();

        var sent = 0;
        while (sent < 3000)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint);
            var drain = DrainAsync(socket);
            try
            {
                await socket.SendAsync(bind);
                for (var batch = 0; batch < 20 && sent < 3000; batch++, sent += 25)
                {
                    var chunk = Enumerable.Range(0, 25).SelectMany(_ => Mutate(corpus[random.Next(corpus.Length)], random, breakFramingOneIn: 50)).ToArray();
                    await socket.SendAsync(chunk);
                }
            }
            catch (SocketException)
            {
                // the simulator closed on an invalid command_length: reconnect and go on
            }
            socket.Shutdown(SocketShutdown.Send);
            await drain;
        }

        Assert.True(simulator.Statistics.Malformed > 0);
        Assert.Empty(log.Errors);
        await using var rig = new SmppConnector(SmppTestRig.Options(endpoint.Port));
        await rig.StartAsync();
        Assert.True(await rig.WaitForBindsAsync(1, TimeSpan.FromSeconds(5)));
        Assert.IsType<SubmitOutcome.Accepted>(await rig.SubmitAsync(SmppTestRig.Sms(1)));
    }

    [Fact]
    public async Task Esme_MutatedPdusFromSmsc_AnswersOrReconnectsAndKeepsServing()
    {
        var log = new ErrorLog();
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var options = SmppTestRig.Options(port);
        options.MatchReceipts = false;
        await using var connector = new SmppConnector(options, log.For<SmppConnector>());
        await connector.StartAsync();
        using var stop = new CancellationTokenSource();
        var received = 0;
        var inbound = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in connector.Inbound.ReadAllAsync(stop.Token)) Interlocked.Increment(ref received);
            }
            catch (OperationCanceledException)
            {
            }
        });

        var random = new Random(11);
        var corpus = Corpus().Where(p => p is not Bind and not BindResp).Select(p => p.ToArray()).ToArray();
        var sent = 0;
        var connections = 0;
        while (sent < 3000)
        {
            using var socket = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(5));
            connections++;
            var request = new byte[1024];
            var read = await socket.ReceiveAsync(request);
            Assert.True(read >= 16);
            var sequence = BinaryPrimitives.ReadUInt32BigEndian(request.AsSpan(12));
            await socket.SendAsync(new BindResp { Mode = BindMode.Transceiver, SystemId = "fake", SequenceNumber = sequence }.ToArray());
            var drain = DrainAsync(socket);
            try
            {
                for (var batch = 0; batch < 20 && sent < 3000; batch++, sent += 25)
                {
                    var chunk = Enumerable.Range(0, 25).SelectMany(_ => Mutate(corpus[random.Next(corpus.Length)], random, breakFramingOneIn: 50)).ToArray();
                    await socket.SendAsync(chunk);
                }
            }
            catch (SocketException)
            {
                // the ESME closed on an invalid command_length; it reconnects
            }
            socket.Shutdown(SocketShutdown.Send);
            await drain;
        }
        // The reader runs on the thread pool: on a loaded machine it may not have run yet when the last
        // bytes are sent (CI, 2026-12-04), so wait for it before stopping it.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref received) == 0 && DateTime.UtcNow < until) await Task.Delay(50);
        await stop.CancelAsync();
        await inbound;

        Assert.True(connections > 1);
        Assert.True(received > 0, "no mutated deliver_sm made it through as MO or receipt");
        Assert.Empty(log.Errors);
        Assert.True(connector.Statistics.SuccessfulBinds >= connections - 1);
    }

    [Fact]
    public async Task Esme_OversizeCommandLengthFromSmsc_NacksClosesAndReconnects()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        await using var connector = new SmppConnector(SmppTestRig.Options(((IPEndPoint)listener.LocalEndPoint!).Port));
        await connector.StartAsync();

        using var first = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var request = new byte[256];
        await first.ReceiveAsync(request);
        await first.SendAsync(new BindResp { Mode = BindMode.Transceiver, SequenceNumber = BinaryPrimitives.ReadUInt32BigEndian(request.AsSpan(12)) }.ToArray());
        byte[] oversize = [0x7F, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 42];
        await first.SendAsync(oversize);

        var reply = new byte[64];
        var read = await first.ReceiveAsync(reply).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(16, read);
        Assert.Equal((uint)CommandId.GenericNack, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(4)));
        Assert.Equal((uint)CommandStatus.InvalidCommandLength, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(8)));
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(12)));
        Assert.Equal(0, await first.ReceiveAsync(reply).WaitAsync(TimeSpan.FromSeconds(5))); // closed
        using var second = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(5)); // and reconnected
        Assert.True(await second.ReceiveAsync(request) >= 16);
    }

    private static async Task DrainAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (await socket.ReceiveAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = new Segment(bytes.AsMemory(split), split);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }

    /// <summary>Collects Error-level log entries: the read loops log there when a handler throws.</summary>
    private sealed class ErrorLog
    {
        public List<string> Errors { get; } = [];

        public ILogger<T> For<T>() => new Logger<T>(this);

        private sealed class Logger<T>(ErrorLog log) : ILogger<T>
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel < LogLevel.Error) return;
                lock (log.Errors) log.Errors.Add(formatter(state, exception) + " " + exception);
            }
        }
    }
}
