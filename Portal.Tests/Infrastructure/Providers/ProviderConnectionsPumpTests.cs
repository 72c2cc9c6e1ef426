using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Messages;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Infrastructure.Smpp;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>
/// The receipt and reply pump of <see cref="ProviderConnections"/> against the simulator over loopback:
/// replies nobody can take are refused (the SMSC keeps them), intermediate receipts are acknowledged
/// and dropped, final ones reach the sink.
/// </summary>
public class ProviderConnectionsPumpTests
{
    private sealed class RecordingSink : IReceiptSink
    {
        public ConcurrentQueue<ReceiptItem> Items { get; } = new();

        public ValueTask WriteAsync(ReceiptItem item, Portal.Infrastructure.Smpp.Esme.InboundMessage? source = null)
        {
            Items.Enqueue(item);
            source?.Acknowledge();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class BrokenMoSink : IMoSink
    {
        public int Calls;

        public ValueTask AcceptAsync(int providerId, MoMessageReceived message)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("broker restarting");
        }

        public Task RunAsync(CancellationToken ct) => Task.CompletedTask;
    }

    private static async Task<SmscSimulator> SimulatorAsync(Action<SmscSimulatorOptions>? configure = null)
    {
        var options = new SmscSimulatorOptions { Credentials = { ["portal"] = "secret" }, ReceiptDelay = TimeSpan.FromMilliseconds(5) };
        configure?.Invoke(options);
        var simulator = new SmscSimulator(options);
        await simulator.StartAsync();
        return simulator;
    }

    private static ProviderRuntime Runtime(SmscSimulator simulator) => new(7, "sim", 1, new ProviderSettings
    {
        Host = "127.0.0.1", Port = simulator.EndPoint!.Port, SystemId = "portal", Password = "secret",
    });

    [Fact]
    public async Task Reply_WithoutAnMoForwarder_RefusedSoTheSmscKeepsIt()
    {
        await using var simulator = await SimulatorAsync();
        await using var connections = new ProviderConnections(new RecordingSink(), NullLoggerFactory.Instance);
        await connections.GetAsync(Runtime(simulator), CancellationToken.None);

        var status = await simulator.InjectMoAsync("79990001122", "1234", "STOP");

        Assert.Equal(CommandStatus.TemporaryAppError, status);
    }

    [Fact]
    public async Task Reply_ForwarderThrows_RefusedAndThePumpGoesOn()
    {
        await using var simulator = await SimulatorAsync();
        var mo = new BrokenMoSink();
        await using var connections = new ProviderConnections(new RecordingSink(), NullLoggerFactory.Instance, mo);
        await connections.GetAsync(Runtime(simulator), CancellationToken.None);

        var first = await simulator.InjectMoAsync("79990001122", "1234", "STOP");
        var second = await simulator.InjectMoAsync("79990001122", "1234", "STOP");

        Assert.Equal(CommandStatus.TemporaryAppError, first);
        Assert.Equal(CommandStatus.TemporaryAppError, second); // still answered: the pump survived the first failure
        Assert.Equal(2, mo.Calls);
    }

    [Fact]
    public async Task Receipts_IntermediateOneAcknowledgedAndDropped_UnknownOneKept()
    {
        var states = new ConcurrentQueue<MessageState>([MessageState.Enroute, MessageState.Unknown]);
        await using var simulator = await SimulatorAsync(o => o.ReceiptState = _ => states.TryDequeue(out var s) ? s : MessageState.Delivered);
        var sink = new RecordingSink();
        await using var connections = new ProviderConnections(sink, NullLoggerFactory.Instance);
        var sender = await connections.GetAsync(Runtime(simulator), CancellationToken.None);

        var enroute = await sender.SendAsync(new OutgoingSms(101, "Portal", "+79990000101", "one", null), CancellationToken.None);
        await SmppConnectorTests.WaitUntilAsync(() => simulator.Statistics.ReceiptsAcked == 1);
        var unknown = await sender.SendAsync(new OutgoingSms(102, "Portal", "+79990000102", "two", null), CancellationToken.None);
        await SmppConnectorTests.WaitUntilAsync(() => simulator.Statistics.ReceiptsAcked == 2);

        Assert.Equal(MessageStatus.Submitted, enroute.Status);
        Assert.Equal(MessageStatus.Submitted, unknown.Status);
        var item = Assert.Single(sink.Items);
        Assert.Equal(102, item.MessageId);
        Assert.Equal(MessageStatus.Unknown, item.Status);
        Assert.Equal(7, item.ProviderId);
    }

    [Theory]
    [InlineData(MessageState.Scheduled, null)]
    [InlineData(MessageState.Accepted, null)]
    [InlineData(MessageState.Deleted, MessageStatus.Undeliverable)]
    [InlineData(MessageState.Unknown, MessageStatus.Unknown)]
    [InlineData((MessageState)77, null)]
    public void ToStatus_EverySmppState_MapsToAFinalStatusOrNothing(MessageState state, MessageStatus? expected)
    {
        Assert.Equal(expected, ProviderConnections.ToStatus(state));
    }
}
