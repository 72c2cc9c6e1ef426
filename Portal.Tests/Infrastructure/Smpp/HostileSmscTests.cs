using System.Net;
using System.Net.Sockets;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>
/// The connector against an SMSC played by the test over loopback TCP (a raw socket), for what the
/// simulator never sends: unreadable receipts, odd UDH, SAR TLVs, an unanswered enquire_link, refusals.
/// </summary>
public class HostileSmscTests
{
    /// <summary>A listening socket that accepts the connector's connection and answers its bind.</summary>
    private sealed class RawSmsc : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<RawEsme> _peers = [];

        public RawSmsc() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async Task<RawEsme> AcceptBoundAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var peer = RawEsme.Over(await _listener.AcceptSocketAsync(cts.Token));
            _peers.Add(peer);
            var bind = Assert.IsType<Bind>(await peer.ReceiveAsync());
            await peer.SendAsync(bind.CreateResponse(CommandStatus.Ok, "raw"));
            return peer;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var peer in _peers) await peer.DisposeAsync();
            _listener.Stop();
        }
    }

    private static async Task<(RawSmsc Smsc, SmppConnector Connector, RawEsme Peer)> StartAsync(Action<SmppConnectorOptions>? configure = null)
    {
        var smsc = new RawSmsc();
        var options = SmppTestRig.Options(smsc.Port);
        configure?.Invoke(options);
        var connector = new SmppConnector(options);
        await connector.StartAsync();
        var peer = await smsc.AcceptBoundAsync();
        Assert.True(await connector.WaitForBindsAsync(1, TimeSpan.FromSeconds(5)));
        return (smsc, connector, peer);
    }

    private static async Task<InboundMessage> NextInboundAsync(SmppConnector connector)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await connector.Inbound.ReadAsync(cts.Token);
    }

    private static DeliverSm Mo(uint sequence, byte esmClass, byte[] shortMessage, OptionalParameters? tlvs = null) => new()
    {
        SequenceNumber = sequence,
        Source = new SmeAddress(1, 1, "79990001122"),
        Destination = new SmeAddress(0, 0, "1234"),
        EsmClass = esmClass,
        ShortMessage = shortMessage,
        Optional = tlvs,
    };

    [Fact]
    public async Task DeliverSm_MarkedAsReceiptButUnreadable_AcknowledgedAndNotPassedOn()
    {
        var (smsc, connector, peer) = await StartAsync();
        await using var _ = smsc;
        await using var __ = connector;

        await peer.SendAsync(Mo(7, EsmClass.DeliveryReceipt, "garbage, no id here"u8.ToArray()));
        var response = Assert.IsType<DeliverSmResp>(await peer.ReceiveAsync());
        await peer.SendAsync(Mo(8, 0, "after"u8.ToArray()));
        Assert.IsType<DeliverSmResp>(await peer.ReceiveAsync());

        Assert.Equal(7u, response.SequenceNumber);
        Assert.Equal(CommandStatus.Ok, response.Status); // acknowledged: the SMSC must not redeliver garbage forever
        var next = Assert.IsType<MoMessageReceived>(await NextInboundAsync(connector));
        Assert.Equal("after", next.Text);
        Assert.Equal(0, connector.Statistics.ReceiptsReceived);
    }

    [Fact]
    public async Task DeliverSm_UdhWithoutConcatenation_HeaderSkippedAndTextKept()
    {
        var (smsc, connector, peer) = await StartAsync();
        await using var _ = smsc;
        await using var __ = connector;

        // UDH length 3: IE 0x24 (national language single shift), length 1, Turkish; then "Hi".
        await peer.SendAsync(Mo(1, EsmClass.UdhIndicator, [0x03, 0x24, 0x01, 0x01, (byte)'H', (byte)'i']));

        var mo = Assert.IsType<MoMessageReceived>(await NextInboundAsync(connector));
        Assert.Equal("Hi", mo.Text);
        Assert.Null(mo.Part);
        Assert.Equal(CommandStatus.Ok, Assert.IsType<DeliverSmResp>(await peer.ReceiveAsync()).Status);
    }

    [Fact]
    public async Task DeliverSm_PartWithSarTlvs_ArrivesWithItsConcatenationInfo()
    {
        var (smsc, connector, peer) = await StartAsync();
        await using var _ = smsc;
        await using var __ = connector;

        await peer.SendAsync(Mo(1, 0, "part two"u8.ToArray(), new OptionalParameters { SarMsgRefNum = 513, SarTotalSegments = 3, SarSegmentSeqnum = 2 }));

        var mo = Assert.IsType<MoMessageReceived>(await NextInboundAsync(connector));
        Assert.Equal("part two", mo.Text);
        Assert.Equal(new Portal.Infrastructure.Smpp.Text.ConcatenationInfo(513, 3, 2), mo.Part);
        Assert.Equal(1, connector.Statistics.MoReceived);
    }

    [Fact]
    public async Task EnquireLink_NeverAnswered_ConnectionDroppedAndCountedLost()
    {
        var (smsc, connector, peer) = await StartAsync(o =>
        {
            o.EnquireLinkInterval = TimeSpan.FromMilliseconds(100);
            o.ResponseTimeout = TimeSpan.FromMilliseconds(300);
            o.ReconnectDelay = TimeSpan.FromSeconds(30);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(30);
        });
        await using var _ = smsc;
        await using var __ = connector;

        var enquire = Assert.IsType<EnquireLink>(await peer.ReceiveAsync());
        // Not answered: the connector must give the link up instead of waiting on a dead peer.
        var after = await peer.ReceiveAsync();
        await SmppConnectorTests.WaitUntilAsync(() => connector.Statistics.LostConnections >= 1 && connector.BoundSessions == 0);

        Assert.True(enquire.SequenceNumber > 0);
        Assert.Null(after); // closed, nothing more sent
    }

    [Fact]
    public async Task SubmitSm_RefusedWithAPermanentStatus_RejectedWithThatStatus()
    {
        var (smsc, connector, peer) = await StartAsync();
        await using var _ = smsc;
        await using var __ = connector;

        var submit = connector.SubmitAsync(SmppTestRig.Sms(1));
        var pdu = Assert.IsType<SubmitSm>(await peer.ReceiveAsync());
        await peer.SendAsync(pdu.CreateResponse(CommandStatus.InvalidDestinationAddress, string.Empty));
        var outcome = await submit;

        var rejected = Assert.IsType<SubmitOutcome.Rejected>(outcome);
        Assert.Equal(CommandStatus.InvalidDestinationAddress, rejected.Status);
        Assert.True(rejected.IsPermanent);
        Assert.Equal(1, connector.Statistics.SubmitSmRejected);
    }

    [Fact]
    public async Task SubmitSm_ThrottledPastItsValidity_RejectedAsThrottledAfterRetries()
    {
        var (smsc, connector, peer) = await StartAsync();
        await using var _ = smsc;
        await using var __ = connector;

        var submit = connector.SubmitAsync(SmppTestRig.Sms(1) with { NotAfter = DateTime.UtcNow.AddMilliseconds(300) });
        var tries = 0;
        while (!submit.IsCompleted && await peer.ReceiveAsync(2000) is SubmitSm pdu)
        {
            tries++;
            await peer.SendAsync(pdu.CreateResponse(CommandStatus.Throttled, string.Empty));
        }
        var outcome = await submit.WaitAsync(TimeSpan.FromSeconds(10));

        var rejected = Assert.IsType<SubmitOutcome.Rejected>(outcome);
        Assert.Equal(CommandStatus.Throttled, rejected.Status);
        Assert.Contains("still throttled", rejected.Reason);
        Assert.True(tries >= 2, $"{tries} tries");
        Assert.Equal(tries, connector.Statistics.Throttled);
    }

    [Fact]
    public async Task SmsSender_LongMessageUnansweredAtPartTwo_UncertainWithPartOneCountedAndItsId()
    {
        var (smsc, connector, peer) = await StartAsync(o => o.ResponseTimeout = TimeSpan.FromMilliseconds(300));
        await using var _ = smsc;
        await using var __ = connector;
        var sender = new Portal.Infrastructure.Providers.SmppSmsSender(connector);

        var send = sender.SendAsync(new Portal.Infrastructure.Providers.OutgoingSms(5, "Portal", "+79990000005", new string('a', 200), null), CancellationToken.None);
        var first = Assert.IsType<SubmitSm>(await peer.ReceiveAsync());
        await peer.SendAsync(first.CreateResponse(CommandStatus.Ok, "00000A1F"));
        Assert.IsType<SubmitSm>(await peer.ReceiveAsync()); // part 2: never answered
        var result = await send.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Portal.Domain.Messages.MessageStatus.Uncertain, result.Status);
        Assert.Equal(1, result.Parts);
        Assert.Equal("no-response", result.ErrorCode);
        Assert.NotNull(result.ProviderMessageId);
        Assert.Equal([result.ProviderMessageId!], result.PartIds);
    }
}
