using System.Net;
using System.Net.Sockets;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>Outbind (SMPP 3.4 2.2.1) over real TCP: the simulator connects to the connector's listener, outbinds, and delivers on that connection.</summary>
public class SmppOutbindTests
{
    [Fact]
    public async Task Outbind_SimulatorConnectsToTheListener_ReceiptsHeldForTheSystemAndMoArriveOnIt()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => { o.BindMode = BindMode.Transmitter; o.OutbindPort = FreePort(); o.OutbindAddress = "127.0.0.1"; });
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => rig.Connector.SubmitAsync(SmppTestRig.Sms(i))));
        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        // A transmitter bind gets no receipts: the simulator holds them for a receiver of "portal".
        await Task.Delay(200);
        Assert.Equal(0, rig.Simulator.Statistics.Receipts);

        await rig.Simulator.OutbindAsync(rig.Connector.OutbindEndPoint!, "portal", "secret");
        var receipts = await rig.ReadReceiptsAsync(3, TimeSpan.FromSeconds(5));
        await rig.Simulator.InjectMoAsync("79990001122", "1234", "STOP", "portal");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var mo = Assert.IsType<MoMessageReceived>(await rig.Connector.Inbound.ReadAsync(cts.Token));

        Assert.Equal(["m0", "m1", "m2"], receipts.Select(r => r.Reference!).Order());
        Assert.Equal("STOP", mo.Text);
        Assert.Equal(2, rig.Simulator.BoundSessions);
        Assert.Equal(2, rig.Connector.BoundSessions);
    }

    [Fact]
    public async Task Outbind_WithAWrongPassword_IsClosedAndNothingIsDelivered()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => { o.BindMode = BindMode.Transmitter; o.OutbindPort = FreePort(); o.OutbindAddress = "127.0.0.1"; });
        Assert.IsType<SubmitOutcome.Accepted>(await rig.Connector.SubmitAsync(SmppTestRig.Sms(1)));

        await rig.Simulator.OutbindAsync(rig.Connector.OutbindEndPoint!, "portal", "wrong");
        await SmppConnectorTests.WaitUntilAsync(() => rig.Simulator.OpenConnections == 1 && rig.Connector.Statistics.FailedBinds == 1);
        var receipts = await rig.ReadReceiptsAsync(1, TimeSpan.FromMilliseconds(500));

        Assert.Empty(receipts);
        Assert.Equal(0, rig.Simulator.Statistics.Receipts);
        Assert.Equal(1, rig.Simulator.BoundSessions);
        Assert.Equal(1, rig.Connector.BoundSessions);
    }

    [Fact]
    public async Task Outbind_ListenerGetsGarbageOrAnotherPduFirst_ClosesTheConnection()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => { o.OutbindPort = FreePort(); o.OutbindAddress = "127.0.0.1"; });

        foreach (var first in new[] { new EnquireLink { SequenceNumber = 1 }.ToArray(), "GET / HTTP/1.1\r\n\r\n"u8.ToArray() })
        {
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(rig.Connector.OutbindEndPoint!);
            await client.SendAsync(first);
            // The transport may answer a malformed frame with generic_nack first; then the connection must close (no bind_receiver).
            var buffer = new byte[256];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var received = new List<byte>();
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, cts.Token)) > 0) received.AddRange(buffer.AsSpan(0, read).ToArray());
            }
            catch (SocketException)
            {
            }
            Assert.True(received.Count <= 16, $"{received.Count} bytes before the close");
            if (received.Count == 16) Assert.Equal((byte)0x80, received[4]); // a response (generic_nack), never bind_receiver
        }
        await SmppConnectorTests.WaitUntilAsync(() => rig.Connector.Statistics.FailedBinds == 2);
        Assert.Equal(1, rig.Connector.BoundSessions);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
