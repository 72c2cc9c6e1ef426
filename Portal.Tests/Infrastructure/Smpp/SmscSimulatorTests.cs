using System.Buffers.Binary;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>The simulator's protocol behaviour, driven byte by byte from a raw socket.</summary>
public class SmscSimulatorTests : IAsyncLifetime
{
    private readonly SmscSimulator _simulator = new(new SmscSimulatorOptions
    {
        Credentials = { ["portal"] = "secret" },
        KeepMessages = true,
        ReceiptDelay = TimeSpan.FromMilliseconds(1),
    });

    public async Task InitializeAsync() => await _simulator.StartAsync();

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private async Task<RawEsme> BoundAsync(BindMode mode = BindMode.Transceiver)
    {
        var esme = await RawEsme.ConnectAsync(_simulator.EndPoint!);
        await esme.SendAsync(new Bind { Mode = mode, SystemId = "portal", Password = "secret", SequenceNumber = 1 });
        var response = Assert.IsType<BindResp>(await esme.ReceiveAsync());
        Assert.Equal(CommandStatus.Ok, response.Status);
        return esme;
    }

    [Fact]
    public async Task Bind_WrongPassword_RefusesWithInvalidPasswordAndCloses()
    {
        await using var esme = await RawEsme.ConnectAsync(_simulator.EndPoint!);

        await esme.SendAsync(new Bind { Mode = BindMode.Transmitter, SystemId = "portal", Password = "nope", SequenceNumber = 1 });

        var response = Assert.IsType<BindResp>(await esme.ReceiveAsync());
        Assert.Equal(CommandStatus.InvalidPassword, response.Status);
        Assert.Equal(CommandId.BindTransmitterResp, response.CommandId);
        Assert.Null(await esme.ReceiveAsync()); // connection closed
    }

    [Fact]
    public async Task Bind_Accepted_AnnouncesInterfaceVersion34()
    {
        await using var esme = await RawEsme.ConnectAsync(_simulator.EndPoint!);

        await esme.SendAsync(new Bind { Mode = BindMode.Receiver, SystemId = "portal", Password = "secret", SequenceNumber = 9 });

        var response = Assert.IsType<BindResp>(await esme.ReceiveAsync());
        Assert.Equal(9u, response.SequenceNumber);
        Assert.Equal("PortalSim", response.SystemId);
        Assert.Equal((byte)0x34, response.Optional!.ScInterfaceVersion);
    }

    [Fact]
    public async Task SubmitSm_BeforeBind_AnswersIncorrectBindStatus()
    {
        await using var esme = await RawEsme.ConnectAsync(_simulator.EndPoint!);

        await esme.SendAsync(new SubmitSm { SequenceNumber = 3, Destination = new SmeAddress(1, 1, "1") });

        var response = Assert.IsType<SubmitSmResp>(await esme.ReceiveAsync());
        Assert.Equal(CommandStatus.IncorrectBindStatus, response.Status);
        Assert.Equal(3u, response.SequenceNumber);
    }

    [Fact]
    public async Task OversizeCommandLength_AnswersGenericNackAndCloses()
    {
        await using var esme = await BoundAsync();
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, 10_000_000); // command_length far above the limit
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)CommandId.SubmitSm);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), 77);

        await esme.SendAsync(header);

        var nack = Assert.IsType<GenericNack>(await esme.ReceiveAsync());
        Assert.Equal(CommandStatus.InvalidCommandLength, nack.Status);
        Assert.Equal(77u, nack.SequenceNumber);
        Assert.Null(await esme.ReceiveAsync());
    }

    [Fact]
    public async Task UnknownCommandId_AnswersGenericNackAndStaysUsable()
    {
        await using var esme = await BoundAsync();
        byte[] unknown = [0, 0, 0, 16, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 5];

        await esme.SendAsync(unknown);
        var nack = Assert.IsType<GenericNack>(await esme.ReceiveAsync());
        await esme.SendAsync(new EnquireLink { SequenceNumber = 6 });

        Assert.Equal(CommandStatus.InvalidCommandId, nack.Status);
        Assert.Equal(5u, nack.SequenceNumber);
        Assert.Equal(6u, Assert.IsType<EnquireLinkResp>(await esme.ReceiveAsync()).SequenceNumber);
    }

    [Fact]
    public async Task SubmitSm_WithReceiptRequested_RespondsThenDeliversReceiptWithTextAndTlvs()
    {
        await using var esme = await BoundAsync();

        await esme.SendAsync(new SubmitSm
        {
            SequenceNumber = 2, Source = new SmeAddress(5, 0, "Portal"), Destination = new SmeAddress(1, 1, "79990001122"),
            RegisteredDelivery = 1, ShortMessage = "Hi"u8.ToArray(),
        });

        var response = Assert.IsType<SubmitSmResp>(await esme.ReceiveAsync());
        var receipt = Assert.IsType<DeliverSm>(await esme.ReceiveAsync());
        Assert.Equal(CommandStatus.Ok, response.Status);
        Assert.True(receipt.IsDeliveryReceipt);
        Assert.Equal(response.MessageId, receipt.Optional!.ReceiptedMessageId);
        Assert.Equal(MessageState.Delivered, receipt.Optional.MessageState);
        Assert.StartsWith($"id:{response.MessageId} sub:001 dlvrd:001 ", System.Text.Encoding.ASCII.GetString(receipt.ShortMessage.Span));
        Assert.Equal(new SmeAddress(1, 1, "79990001122"), receipt.Source);
    }

    [Fact]
    public async Task SubmitSm_ThrottleRateOne_AnswersThrottled()
    {
        _simulator.Options.Faults.ThrottleRate = 1;
        await using var esme = await BoundAsync();

        await esme.SendAsync(new SubmitSm { SequenceNumber = 2, Destination = new SmeAddress(1, 1, "1") });

        Assert.Equal(CommandStatus.Throttled, Assert.IsType<SubmitSmResp>(await esme.ReceiveAsync()).Status);
    }

    [Fact]
    public async Task DataSm_Accepted_AnswersWithMessageId()
    {
        await using var esme = await BoundAsync();

        await esme.SendAsync(new DataSm
        {
            SequenceNumber = 4, Destination = new SmeAddress(1, 1, "1"),
            Optional = new OptionalParameters { MessagePayload = "payload"u8.ToArray() },
        });

        var response = Assert.IsType<DataSmResp>(await esme.ReceiveAsync());
        Assert.Equal(CommandStatus.Ok, response.Status);
        Assert.Equal("payload", Assert.Single(_simulator.Messages, m => m.MessageId == response.MessageId).Text);
    }

    [Fact]
    public async Task SubmitAsync_CancelledWhileWaitingForBind_ReportsNotSentInsteadOfThrowing()
    {
        var options = SmppTestRig.Options(_simulator.EndPoint!.Port);
        options.Password = "wrong";
        await using var connector = new SmppConnector(options);
        await connector.StartAsync();
        using var cts = new CancellationTokenSource(200);

        var outcome = await connector.SubmitAsync(SmppTestRig.Sms(1, new string('a', 400)), cts.Token);

        var rejected = Assert.IsType<SubmitOutcome.Rejected>(outcome);
        Assert.False(rejected.IsPermanent);
        Assert.Equal(3, rejected.MessageIds.Count);
        Assert.All(rejected.MessageIds, Assert.Null);
    }
}
