using System.Net;
using System.Net.Sockets;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>
/// Edges of the simulator (data_sm, hostile rules, outbind to nobody) and of the connector's outbind
/// listener (port taken, wrong system_id, silence, a connection the SMSC drops), over loopback TCP.
/// </summary>
public class SmppEdgeCaseTests
{
    private static async Task<RawEsme> BindRawAsync(SmscSimulator simulator, IPEndPoint endpoint, BindMode mode)
    {
        var esme = await RawEsme.ConnectAsync(endpoint);
        await esme.SendAsync(new Bind { Mode = mode, SystemId = "portal", Password = "secret", SequenceNumber = 1 });
        Assert.Equal(CommandStatus.Ok, Assert.IsType<BindResp>(await esme.ReceiveAsync()).Status);
        await SmppConnectorTests.WaitUntilAsync(() => simulator.BoundSessions >= 1);
        return esme;
    }

    private static DataSm Data(uint sequence, byte registeredDelivery) => new()
    {
        SequenceNumber = sequence,
        Source = new SmeAddress(5, 0, "Portal"),
        Destination = new SmeAddress(1, 1, "79990001122"),
        RegisteredDelivery = registeredDelivery,
        Optional = new OptionalParameters { MessagePayload = "payload"u8.ToArray() },
    };

    [Fact]
    public async Task Simulator_DataSmOnAReceiverBind_RefusedWithIncorrectBindStatus()
    {
        await using var simulator = new SmscSimulator(new SmscSimulatorOptions { Credentials = { ["portal"] = "secret" }, KeepMessages = true });
        var endpoint = await simulator.StartAsync();
        await using var esme = await BindRawAsync(simulator, endpoint, BindMode.Receiver);

        await esme.SendAsync(Data(2, 0));
        var response = Assert.IsType<DataSmResp>(await esme.ReceiveAsync());

        Assert.Equal(CommandStatus.IncorrectBindStatus, response.Status);
        Assert.Equal(2u, response.SequenceNumber);
        Assert.Empty(simulator.Messages);
    }

    [Fact]
    public async Task Simulator_DataSmWithReceiptRequested_AcceptedAndAReceiptFollowsOnTheTransceiver()
    {
        await using var simulator = new SmscSimulator(new SmscSimulatorOptions
        {
            Credentials = { ["portal"] = "secret" }, KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5),
        });
        var endpoint = await simulator.StartAsync();
        await using var esme = await BindRawAsync(simulator, endpoint, BindMode.Transceiver);

        await esme.SendAsync(Data(2, 1));
        var response = Assert.IsType<DataSmResp>(await esme.ReceiveAsync());
        var receipt = Assert.IsType<DeliverSm>(await esme.ReceiveAsync());
        await esme.SendAsync(receipt.CreateResponse());

        Assert.Equal(CommandStatus.Ok, response.Status);
        var stored = Assert.Single(simulator.Messages);
        Assert.Equal(response.MessageId, stored.MessageId);
        Assert.Equal("79990001122", stored.To.Value);
        Assert.True(receipt.IsDeliveryReceipt);
        Assert.True(ReceiptParser.TryParse(receipt, out var parsed));
        Assert.Equal(MessageState.Delivered, parsed!.State);
    }

    [Fact]
    public async Task Simulator_ReceiptRuleThrows_ConnectionEndsAndTheSubmitIsUncertainNotLost()
    {
        await using var rig = await SmppTestRig.StartAsync(
            simulator: o => o.ReceiptState = _ => throw new InvalidOperationException("rule bug"),
            connector: o => { o.ReconnectDelay = TimeSpan.FromSeconds(30); o.MaxReconnectDelay = TimeSpan.FromSeconds(30); });

        var outcome = await rig.Connector.SubmitAsync(SmppTestRig.Sms(1));

        // The handler bug closes that connection only (the read loop catches it); the message is not
        // reported as refused since the SMSC may have taken it.
        Assert.IsType<SubmitOutcome.Uncertain>(outcome);
        await SmppConnectorTests.WaitUntilAsync(() => rig.Connector.Statistics.LostConnections >= 1);
        Assert.Equal(1, rig.Simulator.Statistics.SubmitSm);
    }

    [Fact]
    public async Task Simulator_AutoReplyRuleThrowsForOneNumber_OthersStillGetTheirReply()
    {
        await using var rig = await SmppTestRig.StartAsync(simulator: o =>
        {
            o.ReplyDelay = TimeSpan.FromMilliseconds(10);
            o.AutoReply = (phone, _) => phone.EndsWith('0') ? throw new FormatException("bad rule") : "YES";
        });

        Assert.IsType<SubmitOutcome.Accepted>(await rig.Connector.SubmitAsync(SmppTestRig.Sms(10)));
        Assert.IsType<SubmitOutcome.Accepted>(await rig.Connector.SubmitAsync(SmppTestRig.Sms(11)));
        MoMessageReceived? mo = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (mo is null) mo = await rig.Connector.Inbound.ReadAsync(cts.Token) as MoMessageReceived;

        Assert.Equal("YES", mo.Text);
        Assert.Equal("79990000011", mo.From.Value.TrimStart('+'));
        Assert.Equal(1, rig.Connector.Statistics.MoReceived);
    }

    [Fact]
    public async Task Simulator_AutoReplyPendingWhenStopped_StopsWithoutDelivering()
    {
        var rig = await SmppTestRig.StartAsync(simulator: o =>
        {
            o.ReplyDelay = TimeSpan.FromMinutes(5);
            o.AutoReply = (_, _) => "later";
        });
        Assert.IsType<SubmitOutcome.Accepted>(await rig.Connector.SubmitAsync(SmppTestRig.Sms(1)));

        await rig.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, rig.Connector.Statistics.MoReceived);
    }

    [Fact]
    public async Task Simulator_OutbindToAPortNobodyListensOn_Throws()
    {
        await using var simulator = new SmscSimulator(new SmscSimulatorOptions());
        await simulator.StartAsync();
        var nobody = new IPEndPoint(IPAddress.Loopback, FreePort());

        await Assert.ThrowsAnyAsync<SocketException>(() => simulator.OutbindAsync(nobody, "portal", "secret"));
        Assert.Equal(0, simulator.OpenConnections);
    }

    [Fact]
    public async Task Connector_OutbindPortAlreadyTaken_StartFails()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var options = SmppTestRig.Options(FreePort());
        options.OutbindPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        options.OutbindAddress = "127.0.0.1";
        await using var connector = new SmppConnector(options);

        await Assert.ThrowsAsync<SocketException>(() => connector.StartAsync());
        Assert.Null(connector.OutbindEndPoint);
    }

    private static Task<SmppTestRig> OutbindRigAsync(TimeSpan? responseTimeout = null) => SmppTestRig.StartAsync(connector: o =>
    {
        o.BindMode = BindMode.Transmitter;
        o.OutbindPort = FreePort();
        o.OutbindAddress = "127.0.0.1";
        if (responseTimeout is { } t) o.ResponseTimeout = t;
    });

    [Fact]
    public async Task Outbind_WithAWrongSystemId_RefusedAndClosed()
    {
        await using var rig = await OutbindRigAsync();
        await using var smsc = await RawEsme.ConnectAsync(rig.Connector.OutbindEndPoint!);

        await smsc.SendAsync(new Outbind { SystemId = "intruder", Password = "secret", SequenceNumber = 1 });
        var answer = await smsc.ReceiveAsync();

        Assert.Null(answer); // closed without bind_receiver
        await SmppConnectorTests.WaitUntilAsync(() => rig.Connector.Statistics.FailedBinds == 1);
        Assert.Equal(1, rig.Connector.BoundSessions);
    }

    [Fact]
    public async Task Outbind_PeerConnectsAndStaysSilent_ClosedAfterTheResponseTimeout()
    {
        await using var rig = await OutbindRigAsync(TimeSpan.FromMilliseconds(300));
        await using var smsc = await RawEsme.ConnectAsync(rig.Connector.OutbindEndPoint!);

        var answer = await smsc.ReceiveAsync(5000);

        Assert.Null(answer);
        await SmppConnectorTests.WaitUntilAsync(() => rig.Connector.Statistics.FailedBinds == 1);
        Assert.Equal(1, rig.Connector.BoundSessions);
    }

    [Fact]
    public async Task Outbind_AcceptedThenDroppedBySmsc_CountedAsALostConnection()
    {
        await using var rig = await OutbindRigAsync();
        var smsc = await RawEsme.ConnectAsync(rig.Connector.OutbindEndPoint!);

        await smsc.SendAsync(new Outbind { SystemId = "portal", Password = "secret", SequenceNumber = 1 });
        var bind = Assert.IsType<Bind>(await smsc.ReceiveAsync());
        await smsc.SendAsync(bind.CreateResponse(CommandStatus.Ok, "raw"));
        await SmppConnectorTests.WaitUntilAsync(() => rig.Connector.BoundSessions == 2);
        await smsc.DisposeAsync();

        Assert.Equal(BindMode.Receiver, bind.Mode);
        await SmppConnectorTests.WaitUntilAsync(() => rig.Connector.Statistics.LostConnections == 1 && rig.Connector.BoundSessions == 1);
        Assert.Equal(2, rig.Connector.Statistics.SuccessfulBinds);
    }

    [Fact]
    public async Task Outbind_ConnectorStoppedWhileWaitingForTheOutbind_StopsCleanly()
    {
        var rig = await OutbindRigAsync(TimeSpan.FromSeconds(30));
        await using var smsc = await RawEsme.ConnectAsync(rig.Connector.OutbindEndPoint!);

        await rig.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(await smsc.ReceiveAsync(2000));
        Assert.Equal(0, rig.Connector.Statistics.FailedBinds);
    }

    [Fact]
    public async Task Flash_WithLatin1Coding_SentWithoutAMessageClass()
    {
        await using var rig = await SmppTestRig.StartAsync();

        var outcome = await rig.Connector.SubmitAsync(SmppTestRig.Sms(1, "Café") with { Encoding = Portal.Infrastructure.Smpp.Text.SmsEncoding.Latin1, Flash = true });

        Assert.IsType<SubmitOutcome.Accepted>(outcome);
        // Latin-1 (0x03) has no class-0 form: it goes plain rather than as a wrong coding.
        Assert.Equal(0x03, Assert.Single(rig.Simulator.Messages).DataCoding);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
